import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { TIERS, type Catalog } from '../../../domain/catalog';
import { encodeValue, VIEW_IDS, type ModalMetadata } from './ids';
import { clip } from './text';

/**
 * The modals of the Slack surface. Input block ids are the field names the view handlers read
 * back (each input holds one element whose action id is `value`). The open modal deliberately has
 * no field for the leaked value: people paste what they are asked for, and a value typed into
 * Slack would sit in Slack's own logs.
 */

export const OPEN_FIELDS = ['secret', 'identifiers', 'description', 'location', 'severity', 'flags', 'notes'] as const;

/** Slack caps a static select at 100 options; larger catalogs fall back to the identifiers field. */
const MAX_SECRET_OPTIONS = 100;

export function renderOpenModal(catalog: Catalog): ModalView {
  const secrets = catalog.secrets.slice(0, MAX_SECRET_OPTIONS);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':lock: *Never paste the secret itself.* Say which credential it is and where it leaked.',
      },
    },
  ];
  if (secrets.length > 0) {
    blocks.push(
      input(
        'secret',
        'Credential from the catalog',
        {
          type: 'static_select',
          action_id: 'value',
          placeholder: { type: 'plain_text', text: 'Pick a credential' },
          options: secrets.map((s) => option(clip(`${s.id}${s.description ? ` — ${s.description}` : ''}`, 75), s.id)),
        },
        true,
      ),
    );
  }
  blocks.push(
    input(
      'identifiers',
      'Or: identifiers',
      textInput('Access key id, database role, token type (comma separated)'),
      true,
    ),
    input('description', 'Or: describe an unknown credential', textInput('What it is and who issued it'), true),
    input('location', 'Where it leaked', textInput('URL, repository path, message link')),
    input('severity', 'Severity', {
      type: 'static_select',
      action_id: 'value',
      initial_option: option('high', 'high'),
      options: TIERS.map((tier) => option(tier, tier)),
    }),
    input(
      'flags',
      'What you know',
      {
        type: 'checkboxes',
        action_id: 'value',
        options: [
          option('It is publicly exposed', 'publiclyExposed'),
          option('It still works (verified active)', 'verifiedActive'),
        ],
      },
      true,
    ),
    input('notes', 'Notes', textInput('Anything responders should know', true), true),
  );
  return modal(VIEW_IDS.open, 'Report a leaked secret', 'Open incident', blocks);
}

export function renderFalsePositiveModal(metadata: ModalMetadata): ModalView {
  return modal(
    VIEW_IDS.falsePositiveReason,
    'False positive',
    'Record decision',
    [
      input(
        'reason',
        'Why is this a false positive?',
        textInput('e.g. test fixture, already revoked, not a credential', true),
      ),
    ],
    metadata,
  );
}

export function renderVerifyModal(metadata: ModalMetadata): ModalView {
  return modal(
    VIEW_IDS.verifyNote,
    'Confirm closed',
    'Confirm closed',
    [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'You confirm the credential is dead and nothing still depends on it.' },
      },
      input('note', 'Note', textInput('What you checked', true)),
    ],
    metadata,
  );
}

export function renderManualModal(metadata: ModalMetadata): ModalView {
  return modal(
    VIEW_IDS.manualNote,
    'Manual containment',
    'Confirm',
    [
      input('note', 'What did you do?', textInput('e.g. revoked the token in the vendor console', true)),
      input('reference', 'Reference', textInput('Ticket or audit log id'), true),
    ],
    metadata,
  );
}

function modal(
  callbackId: string,
  title: string,
  submit: string,
  blocks: KnownBlock[],
  metadata?: ModalMetadata,
): ModalView {
  return {
    type: 'modal',
    callback_id: callbackId,
    title: { type: 'plain_text', text: clip(title, 24) },
    submit: { type: 'plain_text', text: clip(submit, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
    ...(metadata ? { private_metadata: encodeValue(metadata) } : {}),
  };
}

function input(blockId: string, label: string, element: InputBlock['element'], optional = false): InputBlock {
  return { type: 'input', block_id: blockId, label: { type: 'plain_text', text: label }, element, optional };
}

function textInput(placeholder: string, multiline = false): InputBlock['element'] {
  return {
    type: 'plain_text_input',
    action_id: 'value',
    multiline,
    max_length: 2000,
    placeholder: { type: 'plain_text', text: placeholder },
  };
}

function option(text: string, value: string): PlainTextOption {
  return { text: { type: 'plain_text', text }, value };
}
