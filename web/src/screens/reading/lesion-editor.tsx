import {
  IRECIST_NEW_LESION_TYPES,
  NEW_LESION_STATUSES,
  NON_TARGET_STATUSES,
  NON_TARGET_STATUS_LABEL,
  TARGET_STATUSES,
  TARGET_STATUS_LABEL,
  type Measurement,
  type NewLesion,
  type ReadContent,
  type TargetStatus,
} from '../../reading/model.js';
import { type AiChoice, aiChoiceOf, chooseOnAi, formatMm, hasAiProposal, nextLesionId, priorMm, typedFinal } from '../../reading/read-form.js';
import { MmInput } from '../../ui/mm-input.js';

// The lesion forms of the read editor. Every change goes through `edit`, which the editor autosaves. Controls are
// labelled per lesion ("Organ of T2") so a screen reader and the keyboard user know which row they are in.

export type Edit = (fn: (c: ReadContent) => ReadContent) => void;

const ORGANS = ['liver', 'lung', 'lymph_node', 'adrenal', 'kidney', 'pancreas', 'spleen', 'bone', 'brain', 'peritoneum', 'pleura', 'soft_tissue', 'skin', 'other'];
const MODALITIES = ['CT', 'MRI', 'CXR', 'CALIPER'];

export function OrganList() {
  return (
    <datalist id="organs">
      {ORGANS.map((o) => (
        <option key={o} value={o} />
      ))}
    </datalist>
  );
}

const setAt = <T,>(list: T[], i: number, next: T): T[] => list.map((x, j) => (j === i ? next : x));

/** Final value with the AI proposal beside it and the reader's accept / edit / reject when a proposal exists. */
export function MeasurementCell({ lesionId, m, onChange }: { lesionId: string; m: Measurement | undefined; onChange: (m: Measurement | undefined) => void }) {
  if (!hasAiProposal(m)) {
    return <MmInput label={`Final diameter of ${lesionId}`} hideLabel value={m?.finalMm} onValue={(mm) => onChange(typedFinal(m, mm))} />;
  }
  const choice = aiChoiceOf(m);
  const choose = (c: AiChoice) => onChange(chooseOnAi(m, c));
  return (
    <div class="ai-measure" data-testid={`ai-${lesionId}`}>
      <span class="ai-value">
        AI <strong>{formatMm(m.aiProposalMm)}</strong>
        {m.aiSource ? <span class="muted small"> {m.aiSource.modelId} {m.aiSource.version}</span> : null}
      </span>
      <fieldset class="ai-choice">
        <legend class="sr-only">AI proposal for {lesionId}</legend>
        {(['accept', 'edit', 'reject'] as const).map((c) => (
          <label class="radio" key={c}>
            <input type="radio" name={`ai-${lesionId}`} checked={choice === c} onChange={() => choose(c)} />
            {c === 'accept' ? 'Accept' : c === 'edit' ? 'Edit' : 'Reject'}
          </label>
        ))}
      </fieldset>
      <MmInput label={`Final diameter of ${lesionId}`} hideLabel value={m.finalMm} disabled={choice === 'accept'} onValue={(mm) => onChange(typedFinal(m, mm))} />
    </div>
  );
}

// ---- baseline -------------------------------------------------------------------------------------------------

export function BaselineEditor({ content, edit }: { content: ReadContent; edit: Edit }) {
  const imaging = content.imaging;
  return (
    <>
      <OrganList />
      <fieldset class="panel inline-fields">
        <legend>Baseline imaging</legend>
        <label>
          Modality
          <select value={imaging?.modality ?? ''} onChange={(e) => edit((c) => ({ ...c, imaging: { modality: e.currentTarget.value, sliceThicknessMm: c.imaging?.sliceThicknessMm ?? 5 } }))}>
            <option value="" disabled>
              choose…
            </option>
            {MODALITIES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </label>
        <MmInput label="Slice thickness" value={imaging?.sliceThicknessMm} onValue={(mm) => edit((c) => ({ ...c, imaging: mm && mm > 0 ? { modality: c.imaging?.modality ?? 'CT', sliceThicknessMm: mm } : undefined }))} />
      </fieldset>

      <section class="panel" aria-labelledby="targets-h">
        <h2 id="targets-h">Target lesions</h2>
        <p class="muted small">Measurable lesions, at most 5 and 2 per organ (RECIST 1.1 §3.3); longest diameter, or short axis for lymph nodes (≥ 15 mm).</p>
        <table class="grid lesions" data-testid="targets">
          <thead>
            <tr>
              <th scope="col">Lesion</th>
              <th scope="col">Organ</th>
              <th scope="col">Location</th>
              <th scope="col">Lymph node</th>
              <th scope="col">Diameter</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {content.targets.map((t, i) => (
              <tr key={t.id} data-lesion={t.id}>
                <th scope="row">{t.id}</th>
                <td>
                  <input aria-label={`Organ of ${t.id}`} list="organs" maxLength={64} value={t.organ ?? ''} onInput={(e) => edit((c) => ({ ...c, targets: setAt(c.targets, i, { ...c.targets[i], organ: e.currentTarget.value }) }))} />
                </td>
                <td>
                  <input aria-label={`Location of ${t.id}`} maxLength={200} value={t.location ?? ''} onInput={(e) => edit((c) => ({ ...c, targets: setAt(c.targets, i, { ...c.targets[i], location: e.currentTarget.value }) }))} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${t.id} is a lymph node`} checked={t.nodal === true} onChange={(e) => edit((c) => ({ ...c, targets: setAt(c.targets, i, { ...c.targets[i], nodal: e.currentTarget.checked }) }))} />
                </td>
                <td>
                  <MeasurementCell lesionId={t.id} m={t.measurement} onChange={(m) => edit((c) => ({ ...c, targets: setAt(c.targets, i, { ...c.targets[i], measurement: m }) }))} />
                </td>
                <td>
                  <button type="button" aria-label={`Remove target ${t.id}`} onClick={() => edit((c) => ({ ...c, targets: c.targets.filter((_, j) => j !== i) }))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => edit((c) => ({ ...c, targets: [...c.targets, { id: nextLesionId(c, 'T'), nodal: false }] }))}>
          Add target lesion
        </button>
      </section>

      <section class="panel" aria-labelledby="nontargets-h">
        <h2 id="nontargets-h">Non-target lesions</h2>
        <table class="grid lesions" data-testid="non-targets">
          <thead>
            <tr>
              <th scope="col">Lesion</th>
              <th scope="col">Organ</th>
              <th scope="col">Location</th>
              <th scope="col">Lymph node</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {content.nonTargets.map((n, i) => (
              <tr key={n.id} data-lesion={n.id}>
                <th scope="row">{n.id}</th>
                <td>
                  <input aria-label={`Organ of ${n.id}`} list="organs" maxLength={64} value={n.organ ?? ''} onInput={(e) => edit((c) => ({ ...c, nonTargets: setAt(c.nonTargets, i, { ...c.nonTargets[i], organ: e.currentTarget.value }) }))} />
                </td>
                <td>
                  <input aria-label={`Location of ${n.id}`} maxLength={200} value={n.location ?? ''} onInput={(e) => edit((c) => ({ ...c, nonTargets: setAt(c.nonTargets, i, { ...c.nonTargets[i], location: e.currentTarget.value }) }))} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${n.id} is a lymph node`} checked={n.nodal === true} onChange={(e) => edit((c) => ({ ...c, nonTargets: setAt(c.nonTargets, i, { ...c.nonTargets[i], nodal: e.currentTarget.checked }) }))} />
                </td>
                <td>
                  <button type="button" aria-label={`Remove non-target ${n.id}`} onClick={() => edit((c) => ({ ...c, nonTargets: c.nonTargets.filter((_, j) => j !== i) }))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => edit((c) => ({ ...c, nonTargets: [...c.nonTargets, { id: nextLesionId(c, 'NT'), nodal: false }] }))}>
          Add non-target lesion
        </button>
      </section>
    </>
  );
}

// ---- follow-up ------------------------------------------------------------------------------------------------

export function FollowupEditor({ content, edit, baseline, previous, previousLabel }: { content: ReadContent; edit: Edit; baseline: ReadContent; previous: ReadContent | null; previousLabel: string | null }) {
  const described = (id: string, list: 'targets' | 'nonTargets') => {
    const b = baseline[list].find((x) => x.id === id);
    return b ? [b.organ, b.location].filter(Boolean).join(' · ') : '';
  };
  const notAssessed = content.assessed === false;
  return (
    <>
      <OrganList />
      <label class="checkbox-line">
        <input type="checkbox" checked={notAssessed} onChange={(e) => edit((c) => ({ ...c, assessed: e.currentTarget.checked ? false : undefined }))} />
        This timepoint could not be assessed (the response is NE)
      </label>

      <section class="panel" aria-labelledby="targets-h">
        <h2 id="targets-h">Target lesions</h2>
        <table class="grid lesions" data-testid="targets">
          <thead>
            <tr>
              <th scope="col">Lesion</th>
              <th scope="col">Organ · location (baseline)</th>
              <th scope="col">Baseline</th>
              {previousLabel ? <th scope="col">{previousLabel}</th> : null}
              <th scope="col">Status</th>
              <th scope="col">Measurement</th>
            </tr>
          </thead>
          <tbody>
            {content.targets.map((t, i) => {
              const set = (next: typeof t) => edit((c) => ({ ...c, targets: setAt(c.targets, i, next) }));
              return (
                <tr key={t.id} data-lesion={t.id}>
                  <th scope="row">{t.id}</th>
                  <td>{described(t.id, 'targets')}</td>
                  <td>{formatMm(priorMm(baseline, t.id))}</td>
                  {previousLabel ? <td>{formatMm(priorMm(previous ?? undefined, t.id))}</td> : null}
                  <td>
                    <select aria-label={`Status of ${t.id}`} value={t.status ?? ''} disabled={notAssessed} onChange={(e) => set({ ...t, status: (e.currentTarget.value || undefined) as TargetStatus | undefined })}>
                      <option value="">choose…</option>
                      {TARGET_STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {TARGET_STATUS_LABEL[s]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {t.status === 'measured' ? <MeasurementCell lesionId={t.id} m={t.measurement} onChange={(m) => set({ ...t, measurement: m })} /> : null}
                    {t.status === 'split' ? (
                      <label>
                        <span class="sr-only">Fragments of {t.id}</span>
                        <input
                          placeholder="fragments, mm: 12, 8"
                          aria-label={`Fragments of ${t.id} (mm, comma separated)`}
                          value={(t.fragmentsMm ?? []).join(', ')}
                          onChange={(e) => set({ ...t, fragmentsMm: e.currentTarget.value.split(/[,\s]+/).filter(Boolean).map(Number).filter((n) => Number.isFinite(n) && n >= 0) })}
                        />
                      </label>
                    ) : null}
                    {t.status === 'coalesced' ? (
                      <select aria-label={`Target ${t.id} merged into`} value={t.coalescedInto ?? ''} onChange={(e) => set({ ...t, coalescedInto: e.currentTarget.value || undefined })}>
                        <option value="">merged into…</option>
                        {content.targets
                          .filter((o) => o.id !== t.id)
                          .map((o) => (
                            <option key={o.id}>{o.id}</option>
                          ))}
                      </select>
                    ) : null}
                    {t.status && !['measured', 'split', 'coalesced'].includes(t.status) ? <span class="muted">{t.status === 'too_small' ? 'counts 5 mm' : t.status === 'disappeared' ? 'counts 0 mm' : 'unknown'}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section class="panel" aria-labelledby="nontargets-h">
        <h2 id="nontargets-h">Non-target lesions</h2>
        <table class="grid lesions" data-testid="non-targets">
          <thead>
            <tr>
              <th scope="col">Lesion</th>
              <th scope="col">Organ · location (baseline)</th>
              <th scope="col">Status</th>
              <th scope="col">Increased since previous (iRECIST)</th>
            </tr>
          </thead>
          <tbody>
            {content.nonTargets.map((n, i) => {
              const set = (next: typeof n) => edit((c) => ({ ...c, nonTargets: setAt(c.nonTargets, i, next) }));
              return (
                <tr key={n.id} data-lesion={n.id}>
                  <th scope="row">{n.id}</th>
                  <td>{described(n.id, 'nonTargets')}</td>
                  <td>
                    <select aria-label={`Status of ${n.id}`} value={n.status ?? ''} disabled={notAssessed} onChange={(e) => set({ ...n, status: (e.currentTarget.value || undefined) as typeof n.status })}>
                      <option value="">choose…</option>
                      {NON_TARGET_STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {NON_TARGET_STATUS_LABEL[s]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`${n.id} increased since the previous timepoint`} checked={n.increasedSincePrevious === true} onChange={(e) => set({ ...n, increasedSincePrevious: e.currentTarget.checked || undefined })} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <NewLesionsEditor content={content} edit={edit} />
    </>
  );
}

function NewLesionsEditor({ content, edit }: { content: ReadContent; edit: Edit }) {
  const list = content.newLesions ?? [];
  const set = (i: number, next: NewLesion) => edit((c) => ({ ...c, newLesions: setAt(c.newLesions ?? [], i, next) }));
  return (
    <section class="panel" aria-labelledby="new-h">
      <h2 id="new-h">New lesions</h2>
      <p class="muted small">Any unequivocal new lesion is progression (RECIST 1.1 §4.3.2). iRECIST: measurable new lesions are NLT, others NLNT.</p>
      {list.length > 0 ? (
        <table class="grid lesions" data-testid="new-lesions">
          <thead>
            <tr>
              <th scope="col">Lesion</th>
              <th scope="col">Organ</th>
              <th scope="col">Location</th>
              <th scope="col">Lymph node</th>
              <th scope="col">iRECIST type</th>
              <th scope="col">Status</th>
              <th scope="col">Diameter (NLT)</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((n, i) => (
              <tr key={n.id} data-lesion={n.id}>
                <th scope="row">
                  {n.id}
                  {n.organ ? null : <span class="error-text small"> (organ needed to save)</span>}
                </th>
                <td>
                  <input aria-label={`Organ of ${n.id}`} list="organs" maxLength={64} value={n.organ} onInput={(e) => set(i, { ...n, organ: e.currentTarget.value })} />
                </td>
                <td>
                  <input aria-label={`Location of ${n.id}`} maxLength={200} value={n.location ?? ''} onInput={(e) => set(i, { ...n, location: e.currentTarget.value })} />
                </td>
                <td>
                  <input type="checkbox" aria-label={`${n.id} is a lymph node`} checked={n.nodal} onChange={(e) => set(i, { ...n, nodal: e.currentTarget.checked })} />
                </td>
                <td>
                  <select aria-label={`iRECIST type of ${n.id}`} value={n.irecistType} onChange={(e) => set(i, { ...n, irecistType: e.currentTarget.value as NewLesion['irecistType'] })}>
                    {IRECIST_NEW_LESION_TYPES.map((x) => (
                      <option key={x}>{x}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={`Status of ${n.id}`} value={n.status} onChange={(e) => set(i, { ...n, status: e.currentTarget.value as NewLesion['status'] })}>
                    {NEW_LESION_STATUSES.map((x) => (
                      <option key={x}>{x}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <MeasurementCell lesionId={n.id} m={n.measurement} onChange={(m) => set(i, { ...n, measurement: m })} />
                </td>
                <td>
                  <button type="button" aria-label={`Remove new lesion ${n.id}`} onClick={() => edit((c) => ({ ...c, newLesions: (c.newLesions ?? []).filter((_, j) => j !== i) }))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No new lesions recorded.</p>
      )}
      <button type="button" onClick={() => edit((c) => ({ ...c, newLesions: [...(c.newLesions ?? []), { id: nextLesionId(c, 'N'), organ: '', nodal: false, irecistType: 'NLT', status: 'present' }] }))}>
        Add new lesion
      </button>
    </section>
  );
}
