import { db } from '../store/schema';
import { publish } from '../events';
import { checkMapping, checkWorkflow, type ComfyMapping, type ComfyWorkflow } from './workflow';

/**
 * The user's ComfyUI setup: the workflow their server runs and which of its nodes a job fills
 * in. Kept in the extension's IndexedDB (store `comfyui`, one record), out of reach of content
 * scripts, like the provider addresses. Saving it is what makes ComfyUI usable for routing
 * (configuredProviders): ComfyUI takes no key.
 */

export interface ComfySetup {
  workflow: ComfyWorkflow;
  mapping: ComfyMapping;
  /** Where the workflow came from, for the settings page. */
  source: 'template' | 'imported';
}

export interface ComfySetupRecord extends ComfySetup {
  id: 'setup';
  savedAt: number;
}

const ID = 'setup';

/** The saved setup, or undefined when none is saved or the record no longer checks out. */
export async function loadComfySetup(): Promise<ComfySetup | undefined> {
  const rec = await (await db()).get('comfyui', ID);
  if (!rec) return undefined;
  try {
    const workflow = checkWorkflow(rec.workflow);
    return { workflow, mapping: checkMapping(workflow, rec.mapping), source: rec.source === 'template' ? 'template' : 'imported' };
  } catch {
    return undefined;
  }
}

/** Whether a setup is saved (without checking it): the cheap question routing asks. */
export async function hasComfySetup(): Promise<boolean> {
  return (await (await db()).getKey('comfyui', ID)) !== undefined;
}

/** Saves a setup after checking it (throws WorkflowError when the mapping does not fit). */
export async function saveComfySetup(setup: ComfySetup, now: number = Date.now()): Promise<void> {
  const workflow = checkWorkflow(setup.workflow);
  const mapping = checkMapping(workflow, setup.mapping);
  await (await db()).put('comfyui', { id: ID, workflow, mapping, source: setup.source, savedAt: now });
  // Routing and the worker's cached targets and network allows listen for this.
  publish({ type: 'keys.changed' });
}

export async function clearComfySetup(): Promise<void> {
  await (await db()).delete('comfyui', ID);
  publish({ type: 'keys.changed' });
}
