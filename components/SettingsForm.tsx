import type { GenerationSettings } from '@/utils/store/types';
import { fromRouteStrength, type RouteSpec } from '@/utils/models';

export interface SettingsFormProps {
  route: RouteSpec | null;
  hasReference: boolean;
  value: GenerationSettings;
  onChange: (patch: Partial<GenerationSettings>) => void;
}

/** Settings that follow the chosen route's capabilities; knobs a route lacks are hidden. */
export function SettingsForm({ route, hasReference, value, onChange }: SettingsFormProps) {
  if (!route) return null;
  const knob = route.strength;
  const influence = value.influence ?? (knob ? fromRouteStrength(knob, knob.default) : 0.5);
  return (
    <fieldset className="settings">
      <legend>Settings</legend>
      {knob && hasReference && route.imageInput === 'native' ? (
        <div className="field">
          <label htmlFor="strength">Reference strength</label>
          <input
            id="strength"
            type="range"
            min={0}
            max={100}
            step={1}
            value={Math.round(influence * 100)}
            aria-valuetext={`${Math.round(influence * 100)}%: ${influence > 0.66 ? 'follows the image closely' : influence < 0.33 ? 'loosely inspired' : 'balanced'}`}
            onChange={(e) => onChange({ influence: Number(e.target.value) / 100 })}
          />
          <span className="hint">{influence > 0.66 ? 'Follows the image closely' : influence < 0.33 ? 'Loosely inspired' : 'Balanced'}</span>
        </div>
      ) : null}
      {route.aspectRatios?.length ? (
        <div className="field">
          <label htmlFor="aspect">Aspect ratio</label>
          <select id="aspect" value={value.aspectRatio ?? ''} onChange={(e) => onChange({ aspectRatio: e.target.value || null })}>
            <option value="">Default</option>
            {route.aspectRatios.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {route.maxImages > 1 ? (
        <div className="field">
          <label htmlFor="count">Number of images</label>
          <input
            id="count"
            type="number"
            min={1}
            max={route.maxImages}
            value={Math.min(value.numImages, route.maxImages)}
            onChange={(e) => onChange({ numImages: clampInt(e.target.value, 1, route.maxImages, 1) })}
          />
        </div>
      ) : null}
      {route.seed ? (
        <div className="field">
          <label htmlFor="seed">Seed</label>
          <input
            id="seed"
            type="number"
            min={0}
            max={route.seed.max}
            placeholder="Random"
            value={value.seed ?? ''}
            onChange={(e) => onChange({ seed: e.target.value === '' ? null : clampInt(e.target.value, 0, route.seed ? route.seed.max : 0, 0) })}
          />
          {value.seed !== null && value.seed > route.seed.max ? (
            <span className="hint" role="alert">
              This route takes seeds up to {route.seed.max}.
            </span>
          ) : null}
        </div>
      ) : null}
    </fieldset>
  );
}

function clampInt(raw: string, min: number, max: number, fallback: number): number {
  const n = Math.round(Number(raw));
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}
