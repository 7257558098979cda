/** The baseline of the intake storm bench: a workflow that does nothing, started bare. */
export async function benchNoop(): Promise<void> {
  return undefined;
}
