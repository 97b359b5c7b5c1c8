import { i18n } from '#i18n';
import type { GenerationSettings } from '@/utils/store/types';
import { fromRouteStrength, type RouteSpec } from '@/utils/models';

export interface SettingsFormProps {
  route: RouteSpec | null;
  hasReference: boolean;
  value: GenerationSettings;
  onChange: (patch: Partial<GenerationSettings>) => void;
  /** Where a locked seed comes from when none is typed; injectable for tests. */
  randomSeed?: (max: number) => number;
}

const defaultRandomSeed = (max: number) => Math.floor(Math.random() * (Math.min(max, 2 ** 31 - 1) + 1));

/**
 * The settings as one compact row of controls that follow the chosen route: a control the
 * route has no use for is not shown (a knob that does nothing would mislead).
 */
export function SettingsForm({ route, hasReference, value, onChange, randomSeed = defaultRandomSeed }: SettingsFormProps) {
  if (!route) return null;
  const knob = route.strength;
  const influence = value.influence ?? (knob ? fromRouteStrength(knob, knob.default) : 0.5);
  const influenceWords = influence > 0.66 ? i18n.t('settings.strengthClose') : influence < 0.33 ? i18n.t('settings.strengthLoose') : i18n.t('settings.strengthBalanced');
  const seedMax = route.seed ? route.seed.max : 0;
  const locked = value.seed !== null;
  return (
    <fieldset className="controls">
      <legend className="visually-hidden">{i18n.t('settings.legend')}</legend>
      {knob && hasReference && route.imageInput === 'native' ? (
        <div className="control strength">
          <label htmlFor="strength">{i18n.t('settings.strength')}</label>
          <input
            id="strength"
            type="range"
            min={0}
            max={100}
            step={1}
            value={Math.round(influence * 100)}
            aria-valuetext={`${Math.round(influence * 100)}%: ${influenceWords}`}
            onChange={(e) => onChange({ influence: Number(e.target.value) / 100 })}
          />
          <span className="hint">{influenceWords}</span>
        </div>
      ) : null}
      {route.aspectRatios?.length ? (
        <div className="control">
          <label htmlFor="aspect">{i18n.t('settings.aspect')}</label>
          <select id="aspect" value={value.aspectRatio ?? ''} onChange={(e) => onChange({ aspectRatio: e.target.value || null })}>
            <option value="">{i18n.t('settings.aspectDefault')}</option>
            {route.aspectRatios.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {route.maxImages > 1 ? (
        <div className="control">
          <label htmlFor="count">{i18n.t('settings.count')}</label>
          <select id="count" value={Math.min(value.numImages, route.maxImages)} onChange={(e) => onChange({ numImages: Number(e.target.value) })}>
            {Array.from({ length: route.maxImages }, (_, i) => i + 1).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {route.seed ? (
        <div className="control seed">
          <label htmlFor="seed">{i18n.t('settings.seed')}</label>
          <span className="seed-row">
            <input
              id="seed"
              type="number"
              min={0}
              max={seedMax}
              placeholder={i18n.t('settings.seedRandom')}
              value={value.seed ?? ''}
              onChange={(e) => onChange({ seed: e.target.value === '' ? null : clampInt(e.target.value, 0, seedMax, 0) })}
            />
            <button
              type="button"
              className="icon"
              aria-pressed={locked}
              aria-label={i18n.t('settings.seedLock')}
              title={locked ? i18n.t('settings.seedLockedHint') : i18n.t('settings.seedUnlockedHint')}
              onClick={() => onChange({ seed: locked ? null : randomSeed(seedMax) })}
            >
              <LockIcon open={!locked} />
            </button>
          </span>
          {value.seed !== null && value.seed > seedMax ? (
            <span className="hint" role="alert">
              {i18n.t('settings.seedTooLarge', [String(seedMax)])}
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

/** A padlock drawn inline: an emoji would depend on the system having an emoji font. */
function LockIcon({ open }: { open: boolean }) {
  return (
    <svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.6">
      <rect x="3" y="7" width="10" height="7" rx="1.5" />
      <path d={open ? 'M5.5 7V4.8a2.5 2.5 0 0 1 4.9-.7' : 'M5.5 7V4.8a2.5 2.5 0 0 1 5 0V7'} />
    </svg>
  );
}
