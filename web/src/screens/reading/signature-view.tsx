import { StateBadge } from '../../ui/feedback.js';
import type { Signature } from '../../reading/model.js';

/**
 * A signature as 21 CFR 11.50 asks it to be shown: the printed name (or, to an adjudicator, the signer's role in
 * the read), the date and time in UTC, and the meaning, with the server's checks that it is authentic and still
 * matches the signed record (§11.70).
 */
export function SignatureView({ signature, label = 'Signature' }: { signature: Signature | null | undefined; label?: string }) {
  if (!signature) return <p class="muted">Not signed.</p>;
  return (
    <div class="signature" data-testid="signature">
      <p class="manifestation">
        <span class="muted">{label}: </span>
        <strong>{signature.manifestation}</strong>
      </p>
      <p class="small">
        Meaning <StateBadge value={signature.meaning} /> · version {signature.recordVersion} ·{' '}
        {signature.authentic ? <StateBadge value="authentic" /> : <StateBadge value="not_authentic" />}{' '}
        {signature.matchesRecord ? <StateBadge value="matches_record" /> : <StateBadge value="record_changed_since_signing" />}
      </p>
    </div>
  );
}
