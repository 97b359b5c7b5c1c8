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
          <NodeInputPicker
            id="comfyui-prompt"
            nodeLabel={i18n.t('comfyui.promptNode')}
            fieldLabel={i18n.t('comfyui.promptField')}
            noneLabel={i18n.t('comfyui.choose')}
            workflow={draft.workflow}
            fieldsOf={textFields}
            pickField={(fields) => fields[0]}
            node={draft.mapping.promptNode}
            field={draft.mapping.promptField}
            onChange={(promptNode, promptField) => setMapping({ promptNode, promptField })}
          />
          <NodeInputPicker
            id="comfyui-seed"
            nodeLabel={i18n.t('comfyui.seedNode')}
            fieldLabel={i18n.t('comfyui.seedField')}
            noneLabel={i18n.t('comfyui.choose')}
            workflow={draft.workflow}
            fieldsOf={numberFields}
            pickField={(fields) => fields.find((f) => f === 'seed' || f === 'noise_seed') ?? fields[0]}
            node={draft.mapping.seedNode}
            field={draft.mapping.seedField}
            onChange={(seedNode, seedField) => setMapping({ seedNode, seedField })}
          />
          <NodeInputPicker
            id="comfyui-strength"
            nodeLabel={i18n.t('comfyui.strengthNode')}
            fieldLabel={i18n.t('comfyui.strengthField')}
            noneLabel={i18n.t('comfyui.strengthNone')}
            workflow={draft.workflow}
            fieldsOf={numberFields}
            pickField={(fields) => (fields.includes('denoise') ? 'denoise' : fields[0])}
            node={draft.mapping.strengthNode}
            field={draft.mapping.strengthField}
            fieldOnlyWithNode
            onChange={(strengthNode, strengthField) => setMapping({ strengthNode, strengthField })}
          />
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

interface NodeInputPickerProps {
  /** Base element id; the input select gets `${id}-field`. */
  id: string;
  nodeLabel: string;
  fieldLabel: string;
  /** The empty choice ("Choose a node", or "Keep the workflow's own value" where optional). */
  noneLabel: string;
  workflow: ComfyWorkflow;
  /** The inputs of a node this role can fill; nodes with none are not offered. */
  fieldsOf: (node: ComfyWorkflow[string]) => string[];
  /** The input chosen when a node is picked. */
  pickField: (fields: string[]) => string | undefined;
  node: string | undefined;
  field: string | undefined;
  /** Hide the input choice until a node is chosen (optional roles). */
  fieldOnlyWithNode?: boolean;
  onChange: (node: string | undefined, field: string | undefined) => void;
}

/** Which node, and which of its inputs, a job fills in for one role (prompt, seed, strength). */
function NodeInputPicker(p: NodeInputPickerProps) {
  const candidates = Object.keys(p.workflow).filter((id) => p.fieldsOf(p.workflow[id]!).length > 0);
  const chosen = p.node ? p.workflow[p.node] : undefined;
  const fields = chosen ? p.fieldsOf(chosen) : [];
  return (
    <div className="field">
      <label htmlFor={p.id}>{p.nodeLabel}</label>
      <select
        id={p.id}
        value={p.node ?? ''}
        onChange={(e) => {
          const next = p.workflow[e.target.value];
          p.onChange(next ? e.target.value : undefined, next ? p.pickField(p.fieldsOf(next)) : undefined);
        }}
      >
        <option value="">{p.noneLabel}</option>
        {candidates.map((id) => (
          <option key={id} value={id}>
            {nodeLabel(p.workflow, id)}
          </option>
        ))}
      </select>
      {p.fieldOnlyWithNode && !p.node ? null : (
        <>
          <label htmlFor={`${p.id}-field`}>{p.fieldLabel}</label>
          <select id={`${p.id}-field`} value={p.field ?? ''} onChange={(e) => p.onChange(p.node, e.target.value)}>
            {fields.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </>
      )}
    </div>
  );
}
