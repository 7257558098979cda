import { z } from 'zod';

/**
 * The parts of GitHub's secret scanning REST responses we use
 * (GET /repos/{owner}/{repo}/secret-scanning/alerts/{n} and .../locations). Unknown fields are
 * dropped; a missing field we rely on fails parsing with the field's path.
 */
export const GithubAlertSchema = z.object({
  number: z.number().int().positive(),
  created_at: z.string(),
  html_url: z.string().optional(),
  state: z.enum(['open', 'resolved']).optional(),
  resolution: z.string().nullish(),
  secret_type: z.string().min(1),
  secret_type_display_name: z.string().nullish(),
  /** The leaked value. Handed straight to IncidentService.open and never kept anywhere else. */
  secret: z.string().nullish(),
  validity: z.enum(['active', 'inactive', 'unknown']).nullish(),
  publicly_leaked: z.boolean().nullish(),
});
export type GithubAlert = z.infer<typeof GithubAlertSchema>;

export const GithubAlertLocationSchema = z.object({
  type: z.string().min(1),
  details: z.record(z.string(), z.unknown()),
});
export type GithubAlertLocation = z.infer<typeof GithubAlertLocationSchema>;

export const GithubAlertLocationsSchema = z.array(GithubAlertLocationSchema);
