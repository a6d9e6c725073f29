import { CRITERIA_LABEL, NON_TARGET_STATUS_LABEL, TARGET_STATUS_LABEL, type Measurement, type ReadContent } from '../../reading/model.js';
import { formatMm } from '../../reading/read-form.js';

// A read's content, read-only: the signed read, an earlier version, each side of an adjudication. `baseline` names
// the organ and location of follow-up lesions, which are assessed by their baseline id.

function MeasurementText({ m }: { m: Measurement | undefined }) {
  if (!m) return <span class="muted">—</span>;
  return (
    <span>
      <strong>{formatMm(m.finalMm)}</strong>
      {m.aiProposalMm !== undefined && m.aiProposalMm !== null ? (
        <span class="muted small">
          {' '}
          (AI {formatMm(m.aiProposalMm)}, {m.decision})
        </span>
      ) : null}
    </span>
  );
}

/** A measured lesion's name; with `onShow` (its caliper can be drawn) a button that shows it on the images. */
function LesionName({ id, onShow, showLabel }: { id: string; onShow?: (id: string) => void; showLabel?: string }) {
  if (!onShow) return <>{id}</>;
  return (
    <button type="button" class="lesion-link" onClick={() => onShow(id)} aria-label={`${id}: ${showLabel ?? 'show on the images'}`} data-testid={`show-lesion-${id}`}>
      {id}
    </button>
  );
}

export function ContentTables({ content, baseline, idPrefix, onShowLesion, showLabel }: { content: ReadContent; baseline: ReadContent | null; idPrefix: string; onShowLesion?: (lesionId: string) => void; showLabel?: string }) {
  const show = (m: Measurement | undefined) => (m?.caliper && onShowLesion ? onShowLesion : undefined);
  const where = (id: string, list: 'targets' | 'nonTargets', own: { organ?: string; location?: string }) => {
    const b = baseline?.[list].find((x) => x.id === id) ?? own;
    return [b.organ, b.location].filter(Boolean).join(' · ') || '—';
  };
  const followup = baseline !== null;
  return (
    <div class="content-tables" data-testid="content">
      {content.imaging ? (
        <p class="small">
          Imaging: {content.imaging.modality}, {content.imaging.sliceThicknessMm} mm slices
        </p>
      ) : null}
      {content.assessed === false ? <p>Timepoint not assessable.</p> : null}
      <table class="grid compact" data-testid={`${idPrefix}-targets`}>
        <caption>Target lesions</caption>
        <thead>
          <tr>
            <th scope="col">Lesion</th>
            <th scope="col">Organ · location</th>
            {followup ? <th scope="col">Status</th> : <th scope="col">Node</th>}
            <th scope="col">Diameter</th>
          </tr>
        </thead>
        <tbody>
          {content.targets.map((t) => (
            <tr key={t.id}>
              <th scope="row">
                <LesionName id={t.id} onShow={show(t.measurement)} showLabel={showLabel} />
              </th>
              <td>{where(t.id, 'targets', t)}</td>
              {followup ? <td>{t.status ? TARGET_STATUS_LABEL[t.status] : '—'}</td> : <td>{t.nodal ? 'yes' : 'no'}</td>}
              <td>
                {t.status === 'split' ? `fragments ${(t.fragmentsMm ?? []).join(' + ')} mm` : t.status === 'coalesced' ? `into ${t.coalescedInto ?? '?'}` : <MeasurementText m={t.measurement} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="grid compact" data-testid={`${idPrefix}-non-targets`}>
        <caption>Non-target lesions</caption>
        <thead>
          <tr>
            <th scope="col">Lesion</th>
            <th scope="col">Organ · location</th>
            <th scope="col">{followup ? 'Status' : 'Node'}</th>
          </tr>
        </thead>
        <tbody>
          {content.nonTargets.map((n) => (
            <tr key={n.id}>
              <th scope="row">{n.id}</th>
              <td>{where(n.id, 'nonTargets', n)}</td>
              <td>{followup ? (n.status ? NON_TARGET_STATUS_LABEL[n.status] : '—') + (n.increasedSincePrevious ? ', increased' : '') : n.nodal ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {followup ? (
        (content.newLesions ?? []).length > 0 ? (
          <table class="grid compact" data-testid={`${idPrefix}-new-lesions`}>
            <caption>New lesions</caption>
            <thead>
              <tr>
                <th scope="col">Lesion</th>
                <th scope="col">Organ · location</th>
                <th scope="col">Type / status</th>
                <th scope="col">Diameter</th>
              </tr>
            </thead>
            <tbody>
              {(content.newLesions ?? []).map((n) => (
                <tr key={n.id}>
                  <th scope="row">
                    <LesionName id={n.id} onShow={show(n.measurement)} showLabel={showLabel} />
                  </th>
                  <td>{[n.organ, n.location].filter(Boolean).join(' · ')}</td>
                  <td>
                    {n.irecistType} / {n.status}
                  </td>
                  <td>
                    <MeasurementText m={n.measurement} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p class="small">New lesions: none.</p>
        )
      ) : null}
      {(content.responseOverrides ?? []).map((o) => (
        <p key={o.criteria} class="small">
          Reader's {CRITERIA_LABEL[o.criteria]} response: <strong>{o.response}</strong> (reason: {o.reason ?? '—'})
        </p>
      ))}
      {content.notes ? (
        <p class="small">
          Notes: <span class="message-body">{content.notes}</span>
        </p>
      ) : null}
    </div>
  );
}
