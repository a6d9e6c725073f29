import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorBanner } from './feedback.js';

/**
 * A change that the audit trail records with its reason (21 CFR 11.10(e)): the form asks for the reason, and
 * its button stays disabled until one is typed. Extra fields (a new password) come as `fields`, which also get
 * the refusal so they can show the server's reasons beside themselves. The first field takes the focus when the
 * form opens; Escape or Cancel closes it.
 */
export function ReasonForm(props: {
  legend: string;
  reasonLabel?: string;
  submit: string;
  onSubmit: (reason: string) => Promise<void>;
  onCancel: () => void;
  fields?: (error: unknown) => ComponentChildren;
  /** whether the extra fields are complete */
  ready?: boolean;
  testId?: string;
  children?: ComponentChildren;
}) {
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
  }, []);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(reason.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      ref={form}
      class="form reason-form"
      onSubmit={submit}
      data-testid={props.testId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') props.onCancel();
      }}
    >
      <fieldset>
        <legend>{props.legend}</legend>
        {props.children}
        {props.fields?.(error)}
        <label>
          {props.reasonLabel ?? 'Reason (required; recorded in the audit trail)'}
          <textarea required maxLength={2000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy || !reason.trim() || props.ready === false}>
            {busy ? 'Saving…' : props.submit}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        <ErrorBanner error={error} prefix="Not done" />
      </fieldset>
    </form>
  );
}
