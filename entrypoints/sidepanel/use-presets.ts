import { useCallback, useEffect, useState } from 'react';
import { i18n } from '#i18n';
import type { PresetRenameResult, PresetSaveResult, PresetsBarProps } from '@/components/PresetsBar';
import { toAppError } from '@/utils/errors';
import { subscribe } from '@/utils/events';
import { applyPreset, deletePreset, listPresets, renamePreset, savePreset } from '@/utils/store/presets';
import type { DraftRecord, PresetRecord } from '@/utils/store/types';

type Patch = (p: Partial<Omit<DraftRecord, 'id'>>) => void;

/**
 * The Create tab's presets: the stored list (kept in step with other panels and imports), and
 * what Apply, Save, Rename and Delete do, as PresetsBar props. `draft` is what the panel shows, typing
 * not yet written included, so a preset saves exactly what the user sees.
 */
export function usePresets(draft: DraftRecord, patch: Patch): PresetsBarProps {
  const [presets, setPresets] = useState<PresetRecord[]>([]);
  const [status, setStatus] = useState<PresetsBarProps['status']>(null);

  const refresh = useCallback(() => {
    void listPresets()
      .then(setPresets)
      .catch(() => {});
  }, []);
  useEffect(() => {
    refresh();
    return subscribe((e) => {
      if (e.type === 'presets.changed') refresh();
    });
  }, [refresh]);

  const failed = (err: unknown) => setStatus({ text: toAppError(err).message, failed: true });

  const onApply = (id: string) => {
    void applyPreset(id)
      .then(({ preset, missing }) => {
        // The panel writes typing a moment later (useDraft): the preset's values go in that
        // queue too, so text typed just before Apply cannot overwrite them afterwards.
        patch({ prompt: preset.prompt, modelId: preset.modelId, settings: preset.settings });
        setStatus({ text: missing ? i18n.t('presets.appliedMissing', missing, [preset.name, String(missing)]) : i18n.t('presets.applied', [preset.name]) });
      })
      .catch(failed);
  };

  const onSave = async (name: string, replace: boolean): Promise<PresetSaveResult> => {
    try {
      const out = await savePreset(name, draft, { replace });
      if (out.status === 'exists') return { status: 'exists' };
      setStatus({ text: i18n.t(out.replaced ? 'presets.replaced' : 'presets.saved', [out.preset.name]) });
      refresh();
      return { status: 'saved', id: out.preset.id };
    } catch (err) {
      failed(err);
      return { status: 'failed' };
    }
  };

  const onDelete = (id: string) => {
    void deletePreset(id)
      .then((gone) => {
        if (gone) setStatus({ text: i18n.t('presets.deleted', [gone.name]) });
        refresh();
      })
      .catch(failed);
  };

  const onRename = async (id: string, name: string): Promise<PresetRenameResult> => {
    const before = presets.find((p) => p.id === id)?.name ?? '';
    try {
      const out = await renamePreset(id, name);
      if (out.status === 'exists') return { status: 'exists' };
      setStatus({ text: i18n.t('presets.renamed', [before, out.preset.name]) });
      refresh();
      return { status: 'renamed' };
    } catch (err) {
      failed(err);
      return { status: 'failed' };
    }
  };

  return { presets, onApply, onSave, onDelete, onRename, status };
}
