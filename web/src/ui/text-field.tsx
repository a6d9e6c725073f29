import type { ComponentChildren } from 'preact';

/**
 * A labelled input whose hint and the server's reasons for refusing its value are tied to it
 * (aria-describedby, aria-invalid), so a screen reader reads them with the field and the eye finds them beside it.
 */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'password' | 'email';
  required?: boolean;
  maxLength?: number;
  pattern?: string;
  autoComplete?: string;
  list?: string;
  hint?: ComponentChildren;
  /** the server's reasons, e.g. "password must be at least 12 characters" */
  problems?: string[];
}) {
  const problems = props.problems ?? [];
  const hintId = props.hint ? `${props.id}-hint` : undefined;
  const problemsId = problems.length > 0 ? `${props.id}-problems` : undefined;
  const describedBy = [hintId, problemsId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        // Preact types an input's attributes per literal type; these three take the same ones here.
        type={(props.type ?? 'text') as 'text'}
        value={props.value}
        required={props.required}
        maxLength={props.maxLength}
        pattern={props.pattern}
        autoComplete={props.autoComplete ?? 'off'}
        list={props.list}
        aria-invalid={problems.length > 0 ? 'true' : undefined}
        aria-describedby={describedBy}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
      {props.hint ? (
        <p id={hintId} class="small muted field-hint">
          {props.hint}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <ul id={problemsId} class="field-problems" data-testid={`${props.id}-problems`}>
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
