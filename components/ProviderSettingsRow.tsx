import { useState } from 'react';
import { StatusLine, type Status } from './StatusLine';
import { i18n } from '#i18n';

export interface ProviderSettingsRowProps {
  id: string;
  name: string;
  defaultBaseUrl: string;
  baseUrl: string;
  hasKey: boolean;
  keyHint: string;
  sandbox: boolean;
  onSave: (values: { key?: string; baseUrl: string }) => Promise<string | null>;
  onTest: () => Promise<{ ok: boolean; message: string }>;
  onRemoveKey: () => Promise<void>;
}

/** One provider's key and address. Keys are write-only here: the saved key is never shown. */
export function ProviderSettingsRow(p: ProviderSettingsRowProps) {
  const [key, setKey] = useState('');
  const [baseUrl, setBaseUrl] = useState(p.baseUrl);
  const [status, setStatus] = useState<Status | null>(null);
  const keyId = `key-${p.id}`;
  const urlId = `url-${p.id}`;

  return (
    <fieldset className="provider" aria-label={p.name}>
      <legend>{p.name}</legend>
      <div className="field">
        <label htmlFor={keyId}>{i18n.t('options.keyLabel', [p.name])}</label>
        <input
          id={keyId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={p.hasKey ? i18n.t('options.keySavedHint', [p.keyHint]) : p.sandbox ? i18n.t('options.keySandboxHint') : i18n.t('options.keyNotSet')}
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={urlId}>{i18n.t('options.addressLabel', [p.name])}</label>
        <input id={urlId} type="url" spellCheck={false} value={baseUrl} placeholder={p.defaultBaseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </div>
      <div className="row-actions">
        <button
          type="button"
          onClick={async () => {
            const err = await p.onSave({ key: key || undefined, baseUrl: baseUrl || p.defaultBaseUrl });
            setStatus(err ? { ok: false, message: err } : { ok: true, message: i18n.t('options.saved') });
            if (!err) setKey('');
          }}
        >
          {i18n.t('options.save', [p.name])}
        </button>
        <button type="button" disabled={!p.hasKey && !p.sandbox} onClick={async () => setStatus(await p.onTest())}>
          {i18n.t('options.testKey', [p.name])}
        </button>
        {p.hasKey ? (
          <button type="button" onClick={() => void p.onRemoveKey().then(() => setStatus({ ok: true, message: i18n.t('options.keyRemoved') }))}>
            {i18n.t('options.removeKey', [p.name])}
          </button>
        ) : null}
      </div>
      <StatusLine status={status} />
    </fieldset>
  );
}
