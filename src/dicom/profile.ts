// The PS3.15 Table E.1-1 action table (profiles/basic-profile.json) and how a row's action is chosen once the
// protocol's options are applied. The table is data; this module only looks rows up and resolves option columns.
import table from './profiles/basic-profile.json' with { type: 'json' };

export const OPTION_COLUMNS = ['SP', 'UID', 'DEV', 'INST', 'PAT', 'LFD', 'LMD', 'CD', 'CSC', 'CG'] as const;
export type OptionColumn = (typeof OPTION_COLUMNS)[number];

/** Table actions after option resolution; compound actions (X/Z...) are resolved by resolveCompound. */
export const ACTIONS = ['D', 'Z', 'X', 'K', 'C', 'U', 'U*'] as const;
export type Action = (typeof ACTIONS)[number];

export interface SafePrivateTag {
  /** odd group, 4 hex digits */
  readonly group: string;
  /** private creator string of the block, as written in (gggg,00xx) */
  readonly creator: string;
  /** element offset within the block, 2 hex digits (the low byte of the element number) */
  readonly element: string;
}

/** The options a protocol turns on (PS3.15 E.3); Corelab supports these four plus Retain Safe Private. */
export interface DeidentificationOptions {
  readonly retainLongitudinalTemporalInformationModifiedDates: boolean;
  readonly retainPatientCharacteristics: boolean;
  readonly retainDeviceIdentity: boolean;
  readonly cleanDescriptors: boolean;
  /** per-subject date offset, drawn deterministically within [minDays, maxDays] */
  readonly dateShiftDays: { readonly min: number; readonly max: number };
  /** Retain Safe Private Option: private elements kept; empty list means the option is off */
  readonly safePrivateTags: readonly SafePrivateTag[];
  /** Clean Descriptors Option: values (case-insensitive) that may stay in descriptor attributes */
  readonly descriptorAllowlist: readonly string[];
}

export const DEFAULT_DEIDENTIFICATION_OPTIONS: DeidentificationOptions = {
  retainLongitudinalTemporalInformationModifiedDates: false,
  retainPatientCharacteristics: false,
  retainDeviceIdentity: false,
  cleanDescriptors: false,
  dateShiftDays: { min: -3650, max: -365 },
  safePrivateTags: [],
  descriptorAllowlist: [],
};

export interface ProfileRow {
  readonly tag: string;
  readonly name: string;
  readonly basic: string;
  readonly options: Partial<Record<OptionColumn, string>>;
  readonly local: boolean;
}

type RawRow = [string, string, string, Record<string, string>?, string?];

export const PROFILE_VERSION: string = table.profileVersion;

const rows: ProfileRow[] = (table.rows as RawRow[]).map(([tag, name, basic, options, local]) => ({
  tag: tag.toUpperCase(),
  name,
  basic,
  options: (options ?? {}) as Partial<Record<OptionColumn, string>>,
  local: local === 'local',
}));

export function profileRows(): readonly ProfileRow[] {
  return rows;
}

const exact = new Map(rows.filter((r) => !r.tag.includes('X')).map((r) => [r.tag, r]));
// Repeating groups (PS3.5 7.6): 50xx curve data and 60xx overlays.
const repeating = rows.filter((r) => r.tag.includes('X'));

/** Finds the Table E.1-1 row for an 8-hex-digit tag (any case), including the 50xx/60xx repeating groups. */
export function findProfileRow(tag: string): ProfileRow | undefined {
  const t = tag.toUpperCase();
  const hit = exact.get(t);
  if (hit) return hit;
  return repeating.find((r) => [...r.tag].every((c, i) => c === 'X' || c === t[i]));
}

/** Which option columns the protocol's options switch on (PS3.15 E.3.x), in the order they override. */
export function enabledColumns(options: DeidentificationOptions): OptionColumn[] {
  const on: OptionColumn[] = [];
  if (options.retainDeviceIdentity) on.push('DEV');
  if (options.retainPatientCharacteristics) on.push('PAT');
  if (options.retainLongitudinalTemporalInformationModifiedDates) on.push('LMD');
  if (options.cleanDescriptors) on.push('CD');
  if (options.safePrivateTags.length > 0) on.push('SP');
  return on;
}

/**
 * Compound actions leave the choice to the implementer as long as the IOD stays conformant. Without IOD knowledge
 * we keep a zero-length element where Z is allowed (Type 2 stays present), remove where only X or D is offered,
 * and treat X/Z/U* sequences as U* (keep, with the instance UIDs inside replaced).
 */
export function resolveCompound(action: string): Action {
  switch (action) {
    case 'X/Z':
    case 'Z/D':
    case 'X/Z/D':
      return 'Z';
    case 'X/D':
      return 'X';
    case 'X/Z/U*':
      return 'U*';
    case 'D':
    case 'Z':
    case 'X':
    case 'K':
    case 'C':
    case 'U':
      return action;
    default:
      throw new Error(`profile action ${action} is not in PS3.15 Table E.1-1`);
  }
}

export function resolveAction(row: ProfileRow, columns: readonly OptionColumn[]): Action {
  let action = row.basic;
  for (const c of columns) {
    const v = row.options[c];
    if (v !== undefined) action = v;
  }
  return resolveCompound(action);
}
