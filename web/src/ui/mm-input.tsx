import { useEffect, useState } from 'preact/hooks';

/**
 * A length in millimetres typed as text: the field keeps what the reader types ("12." on the way to "12.5") and
 * reports a number, or null when empty. A new value from outside (an accepted AI proposal) replaces the text
 * only when it differs from what the text already means; on leaving the field it shows the recorded value.
 */
export function MmInput(props: { label: string; value: number | null | undefined; onValue: (mm: number | null) => void; disabled?: boolean; class?: string; min?: number; max?: number; hideLabel?: boolean }) {
  const { label, value, onValue, disabled, min = 0, max = 1000, hideLabel } = props;
  const [text, setText] = useState(value === null || value === undefined ? '' : String(value));
  useEffect(() => {
    const parsed = parseMm(text);
    if ((value ?? null) !== parsed) setText(value === null || value === undefined ? '' : String(value));
    // Only a change of the value from outside resets the text.
  }, [value]);
  const parsed = parseMm(text);
  const invalid = text.trim() !== '' && (parsed === null || parsed < min || parsed > max);
  return (
    <label class={`mm-input ${props.class ?? ''}`}>
      <span class={hideLabel ? 'sr-only' : undefined}>{label}</span>
      <span class="mm-field">
        <input
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={text}
          disabled={disabled}
          aria-invalid={invalid ? 'true' : undefined}
          onBlur={() => {
            // Leaving the field shows what is recorded (an emptied AI value, or text that is not a length).
            if (parseMm(text) !== (value ?? null)) setText(value === null || value === undefined ? '' : String(value));
          }}
          onInput={(e) => {
            const t = e.currentTarget.value;
            setText(t);
            const mm = parseMm(t);
            if (t.trim() === '') onValue(null);
            else if (mm !== null && mm >= min && mm <= max) onValue(mm);
          }}
        />
        <span aria-hidden="true">mm</span>
      </span>
    </label>
  );
}

export function parseMm(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}
