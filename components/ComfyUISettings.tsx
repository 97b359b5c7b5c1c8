import { useState } from 'react';
import { StatusLine, type Status } from './StatusLine';
import { DEFAULT_MAPPING, defaultWorkflow } from '@/utils/comfyui/default-workflow';
import {
  checkMapping,
  nodeLabel,
  numberFields,
  parseWorkflow,
  suggestMapping,
  textFields,
  WorkflowError,
  type ComfyMapping,
  type ComfyWorkflow,
} from '@/utils/comfyui/workflow';
import type { ComfySetup } from '@/utils/comfyui/setup-store';
import { i18n } from '#i18n';

export interface ComfyUISettingsProps {
  address: string;
  defaultAddress: string;
  saved: ComfySetup | undefined;
  onTest: (address: string) => Promise<{ ok: boolean; message: string; checkpoints?: string[] }>;
  onSave: (address: string, setup: ComfySetup) => Promise<string | null>;
  onRemove: () => Promise<void>;
}

type Draft = { workflow: ComfyWorkflow; mapping: Partial<ComfyMapping>; source: ComfySetup['source'] };

/** The first checkpoint loader, whose checkpoint the settings offer to change. */
function loaderOf(workflow: ComfyWorkflow): string | undefined {
  return Object.keys(workflow).find((id) => workflow[id]!.class_type === 'CheckpointLoaderSimple' && typeof workflow[id]!.inputs.ckpt_name === 'string');
}

/**
 * The user's own ComfyUI server: its address, a connection test (which also lists the
 * checkpoints, or says which start flag ComfyUI needs), the workflow (imported in API format, or
 * the bundled template) and which of its nodes a job fills in, pre-filled from the node classes.
 */
export function ComfyUISettings(p: ComfyUISettingsProps) {
  const [address, setAddress] = useState(p.address);
  const [draft, setDraft] = useState<Draft | null>(p.saved ? { ...p.saved } : null);
  const [pasted, setPasted] = useState('');
  const [checkpoints, setCheckpoints] = useState<string[]>([]);
  const [status, setStatus] = useState<Status | null>(null);
  const [busy, setBusy] = useState(false);

  const adopt = (text: string) => {
    try {
      const workflow = parseWorkflow(text);
      setDraft({ workflow, mapping: suggestMapping(workflow), source: 'imported' });
      setStatus(null);
    } catch (err) {
      setStatus({ ok: false, message: err instanceof WorkflowError ? err.message : String(err) });
    }
  };

  const setMapping = (change: Partial<ComfyMapping>) => draft && setDraft({ ...draft, mapping: { ...draft.mapping, ...change } });
  const ids = draft ? Object.keys(draft.workflow) : [];
  const nodeOptions = (filter: (id: string) => boolean) =>
    ids.filter(filter).map((id) => (
      <option key={id} value={id}>
        {nodeLabel(draft!.workflow, id)}
      </option>
    ));
  const fieldOptions = (names: string[]) =>
    names.map((n) => (
      <option key={n} value={n}>
        {n}
      </option>
    ));
  const node = (id: string | undefined) => (id && draft ? draft.workflow[id] : undefined);
  const loader = draft ? loaderOf(draft.workflow) : undefined;
  const checkpoint = loader ? String(draft!.workflow[loader]!.inputs.ckpt_name) : '';

  return (
    <section className="comfyui" aria-label={i18n.t('comfyui.heading')}>
      <h2>{i18n.t('comfyui.heading')}</h2>
      <p className="hint">{i18n.t('comfyui.intro')}</p>
      <p>{p.saved ? i18n.t('comfyui.savedSetup') : i18n.t('comfyui.noSetup')}</p>
      <div className="field">
        <label htmlFor="comfyui-address">{i18n.t('comfyui.addressLabel')}</label>
        <input id="comfyui-address" type="url" spellCheck={false} value={address} placeholder={p.defaultAddress} onChange={(e) => setAddress(e.target.value)} />
        <span className="hint">{i18n.t('comfyui.addressHint')}</span>
      </div>
      <div className="row-actions">
        <button
          type="button"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setStatus({ ok: true, message: i18n.t('comfyui.testing') });
            const result = await p.onTest(address || p.defaultAddress);
            setCheckpoints(result.checkpoints ?? []);
            setStatus({ ok: result.ok, message: result.message });
            setBusy(false);
          }}
        >
          {i18n.t('comfyui.test')}
        </button>
      </div>

      <div className="field">
        <label htmlFor="comfyui-file">{i18n.t('comfyui.workflowFile')}</label>
        <input
          id="comfyui-file"
          type="file"
          accept="application/json,.json"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            if (file) adopt(await file.text());
          }}
        />
      </div>
      <div className="field">
        <label htmlFor="comfyui-paste">{i18n.t('comfyui.pasteLabel')}</label>
        <textarea id="comfyui-paste" rows={4} spellCheck={false} value={pasted} onChange={(e) => setPasted(e.target.value)} />
      </div>
      <div className="row-actions">
        <button type="button" disabled={!pasted.trim()} onClick={() => adopt(pasted)}>
          {i18n.t('comfyui.readPasted')}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft({ workflow: defaultWorkflow(), mapping: { ...DEFAULT_MAPPING }, source: 'template' });
            setStatus(null);
          }}
        >
          {i18n.t('comfyui.useTemplate')}
        </button>
      </div>

      {draft ? (
        <fieldset aria-label={i18n.t('comfyui.mapping')}>
          <legend>{i18n.t('comfyui.mapping')}</legend>
          <p className="hint">{draft.source === 'template' ? i18n.t('comfyui.templateNote') : i18n.t('comfyui.importedNote', ids.length, [String(ids.length)])}</p>
          {loader ? (
            <div className="field">
              <label htmlFor="comfyui-ckpt">{i18n.t('comfyui.checkpointLabel')}</label>
              <select
                id="comfyui-ckpt"
                value={checkpoint}
                onChange={(e) => {
                  const workflow = structuredClone(draft.workflow);
                  workflow[loader]!.inputs.ckpt_name = e.target.value;
                  setDraft({ ...draft, workflow });
                }}
              >
                {[...new Set([checkpoint, ...checkpoints])].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          <div className="field">
            <label htmlFor="comfyui-image">{i18n.t('comfyui.imageNode')}</label>
            <select id="comfyui-image" value={draft.mapping.imageNode ?? ''} onChange={(e) => setMapping({ imageNode: e.target.value || undefined })}>
              <option value="">{i18n.t('comfyui.choose')}</option>
              {nodeOptions((id) => typeof draft.workflow[id]!.inputs.image === 'string')}
            </select>
          </div>
          <div className="field">
            <label htmlFor="comfyui-prompt">{i18n.t('comfyui.promptNode')}</label>
            <select
              id="comfyui-prompt"
              value={draft.mapping.promptNode ?? ''}
              onChange={(e) => setMapping({ promptNode: e.target.value || undefined, promptField: textFields(draft.workflow[e.target.value] ?? { class_type: '', inputs: {} })[0] })}
            >
              <option value="">{i18n.t('comfyui.choose')}</option>
              {nodeOptions((id) => textFields(draft.workflow[id]!).length > 0)}
            </select>
            <label htmlFor="comfyui-prompt-field">{i18n.t('comfyui.promptField')}</label>
            <select id="comfyui-prompt-field" value={draft.mapping.promptField ?? ''} onChange={(e) => setMapping({ promptField: e.target.value })}>
              {fieldOptions(textFields(node(draft.mapping.promptNode) ?? { class_type: '', inputs: {} }))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="comfyui-seed">{i18n.t('comfyui.seedNode')}</label>
            <select
              id="comfyui-seed"
              value={draft.mapping.seedNode ?? ''}
              onChange={(e) => {
                const fields = numberFields(draft.workflow[e.target.value] ?? { class_type: '', inputs: {} });
                setMapping({ seedNode: e.target.value || undefined, seedField: fields.find((f) => f === 'seed' || f === 'noise_seed') ?? fields[0] });
              }}
            >
              <option value="">{i18n.t('comfyui.choose')}</option>
              {nodeOptions((id) => numberFields(draft.workflow[id]!).length > 0)}
            </select>
            <label htmlFor="comfyui-seed-field">{i18n.t('comfyui.seedField')}</label>
            <select id="comfyui-seed-field" value={draft.mapping.seedField ?? ''} onChange={(e) => setMapping({ seedField: e.target.value })}>
              {fieldOptions(numberFields(node(draft.mapping.seedNode) ?? { class_type: '', inputs: {} }))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="comfyui-strength">{i18n.t('comfyui.strengthNode')}</label>
            <select
              id="comfyui-strength"
              value={draft.mapping.strengthNode ?? ''}
              onChange={(e) => {
                const fields = numberFields(draft.workflow[e.target.value] ?? { class_type: '', inputs: {} });
                setMapping({ strengthNode: e.target.value || undefined, strengthField: e.target.value ? (fields.includes('denoise') ? 'denoise' : fields[0]) : undefined });
              }}
            >
              <option value="">{i18n.t('comfyui.strengthNone')}</option>
              {nodeOptions((id) => numberFields(draft.workflow[id]!).length > 0)}
            </select>
            {draft.mapping.strengthNode ? (
              <>
                <label htmlFor="comfyui-strength-field">{i18n.t('comfyui.strengthField')}</label>
                <select id="comfyui-strength-field" value={draft.mapping.strengthField ?? ''} onChange={(e) => setMapping({ strengthField: e.target.value })}>
                  {fieldOptions(numberFields(node(draft.mapping.strengthNode) ?? { class_type: '', inputs: {} }))}
                </select>
              </>
            ) : null}
          </div>
        </fieldset>
      ) : null}

      <div className="row-actions">
        <button
          type="button"
          disabled={!draft || busy}
          onClick={async () => {
            if (!draft) return;
            let mapping: ComfyMapping;
            try {
              mapping = checkMapping(draft.workflow, draft.mapping);
            } catch (err) {
              setStatus({ ok: false, message: err instanceof WorkflowError ? err.message : String(err) });
              return;
            }
            const refused = await p.onSave(address || p.defaultAddress, { workflow: draft.workflow, mapping, source: draft.source });
            setStatus(refused ? { ok: false, message: refused } : { ok: true, message: i18n.t('comfyui.saved') });
          }}
        >
          {i18n.t('comfyui.save')}
        </button>
        {p.saved ? (
          <button type="button" onClick={() => void p.onRemove().then(() => setStatus({ ok: true, message: i18n.t('comfyui.removed') }))}>
            {i18n.t('comfyui.remove')}
          </button>
        ) : null}
      </div>
      <StatusLine status={status} />
    </section>
  );
}
