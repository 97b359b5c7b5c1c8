import { useState } from 'react';
import { StatusLine, type Status } from './StatusLine';
import { i18n } from '#i18n';

export interface RouteDetailView {
  id: string;
  /** "fal: Gemini 3 Pro Image (fal-ai/nano-banana-pro/edit) (sends the image)". */
  label: string;
  /** The catalogue's model id, the placeholder for an override. */
  defaultModel: string;
  override: string;
  /** "Live", "Deprecated: ...", "Retired on 30 June 2026; replaced by ...". */
  lifecycle: string;
  retired: boolean;
  /** Set when a provider said on this browser that the model does not exist. */
  unavailable?: { since: string; message: string };
  /** The latest "Check my models" finding for this route. */
  check?: string;
}

export interface RouteDetailsProps {
  modelName: string;
  routes: RouteDetailView[];
  onClearMark: (routeId: string) => void;
  /** Resolves to an error message, or null when saved. */
  onSaveOverride: (routeId: string, model: string) => Promise<string | null>;
}

/** Every route of one model: where it stands, what this browser heard, and its model id. */
export function RouteDetails({ modelName, routes, onClearMark, onSaveOverride }: RouteDetailsProps) {
  return (
    <details className="route-details">
      <summary>{i18n.t('options.routesSummary', [modelName])}</summary>
      <ul aria-label={i18n.t('options.routesList', [modelName])}>
        {routes.map((r) => (
          <RouteItem key={r.id} route={r} onClearMark={onClearMark} onSaveOverride={onSaveOverride} />
        ))}
      </ul>
    </details>
  );
}

function RouteItem({ route: r, onClearMark, onSaveOverride }: { route: RouteDetailView } & Pick<RouteDetailsProps, 'onClearMark' | 'onSaveOverride'>) {
  const [model, setModel] = useState(r.override);
  const [status, setStatus] = useState<Status | null>(null);
  const inputId = `model-${r.id.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <li aria-label={r.label} className={r.retired ? 'retired' : undefined}>
      <p className="route-name">{r.label}</p>
      <p className="route-life">{r.lifecycle}</p>
      {r.unavailable ? (
        <p className="route-note unavailable">
          {`${i18n.t('options.unavailableSince', [r.unavailable.since, r.unavailable.message])} `}
          <button type="button" onClick={() => onClearMark(r.id)}>
            {i18n.t('options.markAvailable')}
          </button>
        </p>
      ) : null}
      {r.check ? <p className="route-check">{r.check}</p> : null}
      {r.retired ? null : (
        <div className="field inline">
          <label htmlFor={inputId}>{i18n.t('options.modelId')}</label>
          <input id={inputId} type="text" spellCheck={false} placeholder={r.defaultModel} value={model} onChange={(e) => setModel(e.target.value)} />
          <button
            type="button"
            onClick={async () => {
              const err = await onSaveOverride(r.id, model);
              const saved = model.trim() ? i18n.t('options.overrideSaved', [model.trim()]) : i18n.t('options.overrideCleared');
              setStatus(err ? { ok: false, message: err } : { ok: true, message: saved });
            }}
          >
            {i18n.t('options.saveModelId')}
          </button>
        </div>
      )}
      <StatusLine status={status} />
    </li>
  );
}
