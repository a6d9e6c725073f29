import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, must } from '../api/client.js';
import { describeError } from '../api/problem.js';
import type { Measurement } from '../reading/model.js';
import { formatMm } from '../reading/read-form.js';
import {
  type Caliper,
  type Segmentation,
  type SegmentationView,
  acceptedMeasurement,
  caliperMm,
  editedMeasurement,
  measurementCaliper,
  moveEnd,
  proposedMm,
  rejectedMeasurement,
  sourceSegmentation,
  viewOf,
} from './ai-proposal.js';
import { type DecodedMask, decodeMaskRle } from './mask-rle.js';
import { followSegmentation, listSegmentations, propagateSegmentation, requestSegmentation } from './segmentation-client.js';
import type { SeriesGeometry, Vec3 } from './series-geometry.js';
import type { CaliperEnd, OverlayLesion } from './viewer-overlay.js';

// AI assistance in the viewer: the reader picks a lesion of the read, points at it on the images, and the server
// segments it (POST .../segmentations with the point in patient mm). The outline and the long and short axes come
// back drawn; the reader accepts, edits the calipers, or rejects, and the choice is written into the lesion's
// measurement through onMeasure (the read screen's edit, so autosave and the live response follow). At follow-up
// the baseline lesions the reader segmented are searched for in this timepoint (propagation) and pre-placed, and
// the reader confirms each. The viewer keeps no read state of its own: what the read holds is shown from props.

export interface AssistLesion {
  id: string;
  nodal: boolean;
  /** e.g. "T1 · liver" */
  label: string;
}

export interface ViewerAssist {
  lesions: AssistLesion[];
  measurementOf: (lesionId: string) => Measurement | undefined;
  onMeasure: (lesionId: string, m: Measurement) => void;
  /** at follow-up: the reader's baseline timepoint and its lesions, to find again in this timepoint's images */
  propagateFrom?: { timepointId: string; label: string; lesions: Array<{ id: string; nodal: boolean; measurement?: Measurement }> };
}

interface ProposalState {
  lesionId: string;
  nodal: boolean;
  origin: 'prompt' | 'propagation';
  seriesId: string;
  view: SegmentationView;
  mask: DecodedMask | null;
  maskError: string | null;
  long: Caliper | null;
  short: Caliper | null;
  editing: boolean;
}

type PropagationNote = { lesionId: string; text: string };

export interface AiAssist {
  /** the lesion the next click segments */
  lesionId: string;
  setLesionId: (id: string) => void;
  pointing: boolean;
  setPointing: (on: boolean) => void;
  /** the reader clicked on the images at a patient point of a series */
  pointAt: (seriesId: string, pointMm: Vec3) => void;
  overlayFor: (seriesId: string) => OverlayLesion[];
  moveCaliper: (at: CaliperEnd, p: Vec3, done: boolean) => void;
  /** ends the editing of a lesion's AI calipers (the reader measures it themselves instead) */
  stopEditing: (lesionId: string) => void;
  /** the panel, with the viewer's other lesion tools (the reader's own caliper) beside the AI's */
  panel: (tools: JSX.Element | null) => JSX.Element;
}

/**
 * The AI assistance state and its panel. `current` is the series shown in the main viewport (where propagation
 * looks), `jumpTo` shows a series at a slice (the measured slice of a proposal).
 */
export function useAiAssist({ trialId, assist, current, jumpTo }: { trialId: string; assist: ViewerAssist | undefined; current: { seriesId: string; geometry: SeriesGeometry } | null; jumpTo: (seriesId: string, k: number) => void }): AiAssist | null {
  const [lesionId, setLesionId] = useState(assist?.lesions[0]?.id ?? '');
  const [pointing, setPointing] = useState(false);
  const [proposals, setProposals] = useState<Record<string, ProposalState>>({});
  const [status, setStatus] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [notes, setNotes] = useState<PropagationNote[]>([]);
  const stop = useRef(new AbortController());
  useEffect(() => () => stop.current.abort(), []);
  useEffect(() => {
    if (assist && !assist.lesions.some((l) => l.id === lesionId)) setLesionId(assist.lesions[0]?.id ?? '');
  }, [assist?.lesions.map((l) => l.id).join(',')]);

  const put = (p: ProposalState) => setProposals((all) => ({ ...all, [p.lesionId]: p }));
  const stateOf = (lesion: { id: string; nodal: boolean }, origin: ProposalState['origin'], s: Segmentation, geometry: SeriesGeometry | null): ProposalState => {
    const view = viewOf(s);
    let mask: DecodedMask | null = null;
    let maskError: string | null = null;
    if (view.kind === 'proposal' && s.mask) {
      try {
        mask = decodeMaskRle(s.mask);
        if (geometry && mask.dims.some((d, a) => d !== geometry.dims[a])) {
          maskError = `the mask grid ${mask.dims.join('×')} is not the series grid ${geometry.dims.join('×')}`;
          mask = null;
        }
      } catch (e) {
        maskError = describeError(e);
      }
    }
    return { lesionId: lesion.id, nodal: lesion.nodal, origin, seriesId: s.seriesId, view, mask, maskError, long: view.kind === 'proposal' ? view.long : null, short: view.kind === 'proposal' ? view.short : null, editing: false };
  };

  /** Follows a segmentation to its end, keeping the lesion's proposal current, and shows the measured slice. */
  const follow = async (lesion: AssistLesion | { id: string; nodal: boolean }, origin: ProposalState['origin'], s: Segmentation, geometry: SeriesGeometry | null) => {
    put(stateOf(lesion, origin, s, geometry));
    const done = await followSegmentation(trialId, s, (u) => put(stateOf(lesion, origin, u, geometry)), stop.current.signal);
    const final = stateOf(lesion, origin, done, geometry);
    put(final);
    return final;
  };

  const pointAt = (seriesId: string, pointMm: Vec3) => {
    const lesion = assist?.lesions.find((l) => l.id === lesionId);
    if (!lesion || !current) return;
    setPointing(false);
    setError(null);
    setStatus(`Segmenting ${lesion.id} at (${pointMm.map((v) => v.toFixed(1)).join(', ')}) mm…`);
    void (async () => {
      try {
        const s = await requestSegmentation(trialId, seriesId, pointMm);
        const final = await follow(lesion, 'prompt', s, current.seriesId === seriesId ? current.geometry : null);
        if (final.view.kind === 'proposal') {
          jumpTo(seriesId, final.view.k);
          setStatus(`${lesion.id}: the AI proposes ${formatMm(proposedMm(final.view, lesion.nodal))}; accept, edit the calipers, or reject.`);
        } else setStatus(`${lesion.id}: ${final.view.kind === 'pending' ? final.view.state : final.view.detail}`);
      } catch (e) {
        if (!(e instanceof DOMException && e.name === 'AbortError')) {
          setError(`AI segmentation of ${lesion.id} failed: ${describeError(e)}`);
          setStatus('');
        }
      }
    })();
  };

  // Follow-up: the baseline lesions the reader segmented are found again in this timepoint's main series.
  const propagateFrom = assist?.propagateFrom;
  const propagatedFor = useRef<string | null>(null);
  useEffect(() => {
    if (!propagateFrom || !current || propagatedFor.current === current.seriesId) return;
    propagatedFor.current = current.seriesId;
    // Only lesions measured with the AI at baseline have a segmentation to start from.
    const candidates = propagateFrom.lesions.filter((l) => l.measurement?.aiProposalMm !== undefined && l.measurement?.aiProposalMm !== null);
    if (candidates.length === 0) {
      setNotes([{ lesionId: '', text: `None of your ${propagateFrom.label} lesions was measured with the AI: measure them yourself.` }]);
      return;
    }
    const target = current;
    void (async () => {
      const out: PropagationNote[] = [];
      try {
        const baselineSeries = await must(api.GET('/trials/{trialId}/timepoints/{timepointId}/series', { params: { path: { trialId, timepointId: propagateFrom.timepointId } } }));
        const mine = (await Promise.all(baselineSeries.map((s) => listSegmentations(trialId, s.id)))).flat();
        const here = await listSegmentations(trialId, target.seriesId);
        for (const l of candidates) {
          const source = sourceSegmentation(mine, l.measurement, l.nodal);
          if (!source) {
            out.push({ lesionId: l.id, text: `${l.id}: no AI segmentation of yours at ${propagateFrom.label} to start from; measure it yourself` });
            continue;
          }
          const existing = here.find((s) => s.kind === 'propagation' && s.sourceSegmentationId === source.id);
          const s = existing ?? (await propagateSegmentation(trialId, source.id, target.seriesId));
          const final = await follow(l, 'propagation', s, target.geometry);
          out.push({ lesionId: l.id, text: final.view.kind === 'proposal' ? `${l.id}: found, ${formatMm(proposedMm(final.view, l.nodal))}${final.view.confidence !== null ? ` (confidence ${final.view.confidence.toFixed(2)})` : ''}: confirm, edit or reject` : `${l.id}: ${final.view.kind === 'pending' ? final.view.state : final.view.detail}` });
        }
      } catch (e) {
        if (!(e instanceof DOMException && e.name === 'AbortError')) out.push({ lesionId: '', text: `Baseline lesions could not be propagated: ${describeError(e)}` });
      }
      setNotes(out);
    })();
  }, [propagateFrom?.timepointId, current?.seriesId]);

  if (!assist) return null;

  const decide = (p: ProposalState, choice: 'accept' | 'edit' | 'reject') => {
    if (p.view.kind !== 'proposal') return;
    const proposal = proposedMm(p.view, p.nodal);
    if (choice === 'accept') {
      put({ ...p, editing: false, long: p.view.long, short: p.view.short });
      assist.onMeasure(p.lesionId, acceptedMeasurement(proposal, p.view.source, measurementCaliper(p.seriesId, p.view.k, p.view.long, p.view.short)));
    } else if (choice === 'edit') {
      put({ ...p, editing: true });
      jumpTo(p.seriesId, p.view.k);
    } else {
      put({ ...p, editing: false });
      const now = assist.measurementOf(p.lesionId);
      assist.onMeasure(p.lesionId, rejectedMeasurement(proposal, p.view.source, now && now.decision !== 'accepted' ? now.finalMm : undefined));
    }
  };

  const moveCaliper = (at: CaliperEnd, q: Vec3, done: boolean) => {
    const p = proposals[at.lesionId];
    if (!p || !p.long || !p.short || p.view.kind !== 'proposal') return;
    const next = { ...p, [at.axis]: moveEnd(p[at.axis]!, at.end, q) };
    put(next);
    if (done) {
      const axis = p.nodal ? next.short! : next.long!;
      assist.onMeasure(p.lesionId, editedMeasurement(proposedMm(p.view, p.nodal), p.view.source, caliperMm(axis), measurementCaliper(p.seriesId, p.view.k, next.long!, next.short)));
    }
  };

  const overlayFor = (seriesId: string): OverlayLesion[] =>
    Object.values(proposals)
      .filter((p) => p.seriesId === seriesId && p.long && p.short)
      .map((p) => ({ lesionId: p.lesionId, label: p.lesionId, mask: p.mask, long: p.long!, short: p.short!, measured: p.nodal ? 'short' : 'long', editing: p.editing, active: p.lesionId === lesionId }));

  const list = Object.values(proposals);
  const panel = (tools: JSX.Element | null) => (
    <section class="ai-panel" aria-labelledby="ai-h" data-testid="ai-panel">
      <h3 id="ai-h">Measure: yourself or with the AI</h3>
      {assist.lesions.length === 0 ? (
        <p class="muted small">Add a target or new lesion to the read, then measure it here, or point at it for the AI to measure it.</p>
      ) : (
        <div class="ai-controls">
          <label>
            Lesion
            <select value={lesionId} onChange={(e) => setLesionId(e.currentTarget.value)}>
              {assist.lesions.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" aria-pressed={pointing} disabled={!current} onClick={() => setPointing(!pointing)} title="Then click the lesion in the current images (key S)">
            {pointing ? `Click ${lesionId} in the images… (Esc cancels)` : `Point at ${lesionId} for the AI`}
          </button>
          {tools}
        </div>
      )}
      <p class="small" role="status" aria-live="polite" data-testid="ai-status">
        {status}
      </p>
      {error ? (
        <p class="banner banner-error" role="alert">
          {error}
        </p>
      ) : null}
      {list.length > 0 ? (
        <ul class="ai-proposals">
          {list.map((p) => (
            <ProposalItem key={p.lesionId} p={p} recorded={assist.measurementOf(p.lesionId)} onShow={() => p.view.kind === 'proposal' && jumpTo(p.seriesId, p.view.k)} onDecide={(c) => decide(p, c)} />
          ))}
        </ul>
      ) : null}
      {propagateFrom ? (
        <div data-testid="propagation">
          <h4>Lesions from {propagateFrom.label}</h4>
          {notes.length === 0 && propagateFrom.lesions.length > 0 ? <p class="small muted">Looking for your {propagateFrom.label} lesions in these images…</p> : null}
          <ul class="small">
            {notes.map((n, i) => (
              <li key={i}>{n.text}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
  const stopEditing = (id: string) => setProposals((all) => (all[id]?.editing ? { ...all, [id]: { ...all[id], editing: false } } : all));
  return { lesionId, setLesionId, pointing, setPointing, pointAt, overlayFor, moveCaliper, stopEditing, panel };
}

function ProposalItem({ p, recorded, onShow, onDecide }: { p: ProposalState; recorded: Measurement | undefined; onShow: () => void; onDecide: (c: 'accept' | 'edit' | 'reject') => void }) {
  const v = p.view;
  const what = p.origin === 'propagation' ? 'propagated' : 'proposed';
  return (
    <li data-testid={`ai-proposal-${p.lesionId}`} data-state={v.kind}>
      <strong>{p.lesionId}</strong>{' '}
      {v.kind === 'pending' ? (
        <span>segmenting… ({v.state})</span>
      ) : v.kind !== 'proposal' ? (
        <span>{v.detail}</span>
      ) : (
        <>
          <span>
            {what}: long axis {formatMm(v.longMm)} · short axis {formatMm(v.shortMm)}
            {v.confidence !== null ? ` · confidence ${v.confidence.toFixed(2)}` : ''} · {v.source.modelId} {v.source.version}
          </span>
          {p.editing && p.long && p.short ? <span> · edited: {formatMm(caliperMm(p.nodal ? p.short : p.long))}</span> : null}
          {p.maskError ? <span class="error-text"> (outline not shown: {p.maskError})</span> : null}
          <span class="button-row" role="group" aria-label={`AI proposal for ${p.lesionId}`}>
            <button type="button" onClick={onShow}>
              Show {p.lesionId}
            </button>
            <button type="button" onClick={() => onDecide('accept')}>
              {p.origin === 'propagation' ? `Confirm ${p.lesionId}` : `Accept ${p.lesionId}`}
            </button>
            <button type="button" aria-pressed={p.editing} onClick={() => onDecide('edit')}>
              Edit calipers of {p.lesionId}
            </button>
            <button type="button" onClick={() => onDecide('reject')}>
              Reject {p.lesionId}
            </button>
          </span>
          <span class="small muted" data-testid={`ai-recorded-${p.lesionId}`}>
            {' '}
            In the read: {recorded ? `${formatMm(recorded.finalMm)}, ${recorded.decision}` : 'nothing yet'}
          </span>
        </>
      )}
    </li>
  );
}

