import { useState } from 'react';
import { StatusLine, type Status } from './StatusLine';

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
        <label htmlFor={keyId}>{`${p.name} API key`}</label>
        <input
          id={keyId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={p.hasKey ? `Saved (${p.keyHint})` : p.sandbox ? 'None: the sandbox answers' : 'Not set'}
          value={key}
          onChange={(e) => setKey(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={urlId}>{`${p.name} API address`}</label>
        <input id={urlId} type="url" spellCheck={false} value={baseUrl} placeholder={p.defaultBaseUrl} onChange={(e) => setBaseUrl(e.target.value)} />
      </div>
      <div className="row-actions">
        <button
          type="button"
          onClick={async () => {
            const err = await p.onSave({ key: key || undefined, baseUrl: baseUrl || p.defaultBaseUrl });
            setStatus(err ? { ok: false, message: err } : { ok: true, message: 'Saved.' });
            if (!err) setKey('');
          }}
        >
          {`Save ${p.name}`}
        </button>
        <button type="button" disabled={!p.hasKey && !p.sandbox} onClick={async () => setStatus(await p.onTest())}>
          {`Test ${p.name} key`}
        </button>
        {p.hasKey ? (
          <button type="button" onClick={() => void p.onRemoveKey().then(() => setStatus({ ok: true, message: 'Key removed.' }))}>
            {`Remove ${p.name} key`}
          </button>
        ) : null}
      </div>
      <StatusLine status={status} />
    </fieldset>
  );
}
