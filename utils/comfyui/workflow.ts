import { i18n } from '#i18n';

/**
 * ComfyUI workflows in API format, as the user's own server runs them: reading one the user
 * exported, finding where the image prompt, the prompt text, the seed and the strength go, and
 * filling those in for one job. Pure: no network, no storage.
 *
 * API format (what POST /prompt takes as `prompt`): an object of node id -> { class_type, inputs },
 * where an input is a literal value or a link `[sourceNodeId, outputIndex]` (Comfy-Org/ComfyUI
 * execution.py validate_prompt @a125cd8; docs.comfy.org/development/api-development/workflow-api-format).
 * The editor's own save format (`{ nodes: [...], links: [...] }`) is refused with a pointer to
 * File → Export Workflow (API).
 */

export interface ComfyNode {
  class_type: string;
  inputs: Record<string, unknown>;
  _meta?: { title?: string };
}

export type ComfyWorkflow = Record<string, ComfyNode>;

/** Which node inputs a job fills in. */
export interface ComfyMapping {
  /** A LoadImage node: its `image` input takes the uploaded reference's name. */
  imageNode: string;
  /** The node whose text input holds the prompt (CLIPTextEncode's `text`, or any text input). */
  promptNode: string;
  promptField: string;
  /** The sampler whose seed is set (KSampler `seed`, KSamplerAdvanced / SamplerCustom `noise_seed`). */
  seedNode: string;
  seedField: string;
  /** Optional: where the panel's reference strength goes (KSampler `denoise`). */
  strengthNode?: string;
  strengthField?: string;
}

/** What one job puts into the workflow. */
export interface ComfyJobValues {
  /** The name /upload/image answered with (with its subfolder, if any). */
  imageName: string;
  prompt: string;
  seed: number;
  /** Already on the workflow's own scale (denoise 0..1); absent keeps the workflow's value. */
  strength?: number;
}

/** A workflow or mapping the extension cannot use, with a message that says what to do. */
export class WorkflowError extends Error {
  constructor(
    readonly code: 'not_json' | 'ui_format' | 'not_api_format' | 'empty' | 'too_large' | 'missing_node' | 'wrong_class' | 'missing_field' | 'linked_field',
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** More than any hand-made workflow needs; a pasted file this large is something else. */
const MAX_WORKFLOW_CHARS = 2_000_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A link to another node's output, `["4", 0]`, as opposed to a value typed into the node. */
function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && (typeof value[0] === 'string' || typeof value[0] === 'number') && typeof value[1] === 'number';
}

/** Reads text the user pasted or a file they chose; throws WorkflowError when it is not an API-format workflow. */
export function parseWorkflow(text: string): ComfyWorkflow {
  if (text.length > MAX_WORKFLOW_CHARS) throw new WorkflowError('too_large', i18n.t('comfyui.errTooLarge'));
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new WorkflowError('not_json', i18n.t('comfyui.errNotJson'));
  }
  return checkWorkflow(raw);
}

/** The same checks on a value already parsed (a stored workflow, the bundled template). */
export function checkWorkflow(raw: unknown): ComfyWorkflow {
  if (!isRecord(raw)) throw new WorkflowError('not_api_format', i18n.t('comfyui.errNotApi'));
  // The editor's save format: nodes and links as lists, with positions.
  if (Array.isArray(raw.nodes) || Array.isArray(raw.links)) throw new WorkflowError('ui_format', i18n.t('comfyui.errUiFormat'));
  // A whole /prompt request body pasted from the browser's network tab: take its workflow.
  const graph = isRecord(raw.prompt) && !('class_type' in raw.prompt) ? raw.prompt : raw;
  const ids = Object.keys(graph);
  if (ids.length === 0) throw new WorkflowError('empty', i18n.t('comfyui.errEmpty'));
  const out: ComfyWorkflow = {};
  for (const id of ids) {
    const node = graph[id];
    if (!isRecord(node) || typeof node.class_type !== 'string' || !node.class_type || !isRecord(node.inputs)) {
      throw new WorkflowError('not_api_format', i18n.t('comfyui.errNotApi'));
    }
    const meta = isRecord(node._meta) && typeof node._meta.title === 'string' ? { title: node._meta.title } : undefined;
    out[id] = { class_type: node.class_type, inputs: { ...node.inputs }, ...(meta ? { _meta: meta } : {}) };
  }
  return out;
}

/** Node ids in the order people read them: numbers ascending, then the rest. */
function orderedIds(workflow: ComfyWorkflow): string[] {
  return Object.keys(workflow).sort((a, b) => {
    const na = Number(a);
    const nb = Number(b);
    if (Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return a.localeCompare(b);
  });
}

const SEED_FIELDS = ['seed', 'noise_seed'] as const;

/** A node's typed-in text inputs (not links): candidates for the prompt. */
export function textFields(node: ComfyNode): string[] {
  return Object.entries(node.inputs)
    .filter(([, v]) => typeof v === 'string')
    .map(([k]) => k);
}

/** A node's typed-in number inputs: candidates for the seed and the strength. */
export function numberFields(node: ComfyNode): string[] {
  return Object.entries(node.inputs)
    .filter(([, v]) => typeof v === 'number')
    .map(([k]) => k);
}

/**
 * The node a sampler's `positive` input really comes from: links are followed (through
 * FluxGuidance, ConditioningCombine...) to the first node with a typed-in `text`.
 */
function positiveTextNode(workflow: ComfyWorkflow, sampler: ComfyNode): string | undefined {
  let link = sampler.inputs.positive;
  for (let hop = 0; hop < 6 && isLink(link); hop++) {
    const id = String(link[0]);
    const node = workflow[id];
    if (!node) return undefined;
    if (typeof node.inputs.text === 'string') return id;
    link = Object.values(node.inputs).find(isLink);
  }
  return undefined;
}

/**
 * A mapping found from the node classes, for the user to confirm: the first LoadImage; the first
 * sampler with a seed; the text node feeding that sampler's positive input (else the first node
 * with a `text` input); the sampler's `denoise` when it has one. Null parts were not found.
 */
export function suggestMapping(workflow: ComfyWorkflow): Partial<ComfyMapping> {
  const ids = orderedIds(workflow);
  const out: Partial<ComfyMapping> = {};
  const image = ids.find((id) => workflow[id]!.class_type === 'LoadImage') ?? ids.find((id) => /LoadImage/i.test(workflow[id]!.class_type) && typeof workflow[id]!.inputs.image === 'string');
  if (image) out.imageNode = image;
  for (const id of ids) {
    const field = SEED_FIELDS.find((f) => typeof workflow[id]!.inputs[f] === 'number');
    if (field) {
      out.seedNode = id;
      out.seedField = field;
      break;
    }
  }
  const sampler = out.seedNode ? workflow[out.seedNode] : undefined;
  const prompt = (sampler && positiveTextNode(workflow, sampler)) ?? ids.find((id) => typeof workflow[id]!.inputs.text === 'string');
  if (prompt) {
    out.promptNode = prompt;
    out.promptField = 'text';
  }
  if (sampler && typeof sampler.inputs.denoise === 'number') {
    out.strengthNode = out.seedNode;
    out.strengthField = 'denoise';
  }
  return out;
}

/** A node's name for messages: its id and class, and its title when the user gave it one. */
export function nodeLabel(workflow: ComfyWorkflow, id: string): string {
  const node = workflow[id];
  if (!node) return id;
  const title = node._meta?.title && node._meta.title !== node.class_type ? ` \u201c${node._meta.title}\u201d` : '';
  return `${id} (${node.class_type}${title})`;
}

/**
 * Checks a mapping against its workflow and returns it complete, or throws WorkflowError saying
 * which choice does not fit and why.
 */
export function checkMapping(workflow: ComfyWorkflow, mapping: Partial<ComfyMapping>): ComfyMapping {
  const need = (id: string | undefined, what: string): ComfyNode => {
    const node = id ? workflow[id] : undefined;
    if (!id || !node) throw new WorkflowError('missing_node', id ? i18n.t('comfyui.errNoSuchNode', [id, what]) : i18n.t('comfyui.errChooseNode', [what]));
    return node;
  };
  const field = (id: string, node: ComfyNode, name: string | undefined, kind: 'string' | 'number', what: string): string => {
    if (!name || !(name in node.inputs)) throw new WorkflowError('missing_field', i18n.t('comfyui.errNoField', [nodeLabel(workflow, id), name ?? '', what]));
    const value = node.inputs[name];
    if (isLink(value)) throw new WorkflowError('linked_field', i18n.t('comfyui.errLinked', [nodeLabel(workflow, id), name, String(value[0])]));
    if (typeof value !== kind) throw new WorkflowError('missing_field', i18n.t('comfyui.errNoField', [nodeLabel(workflow, id), name, what]));
    return name;
  };

  const imageWhat = i18n.t('comfyui.roleImage');
  const image = need(mapping.imageNode, imageWhat);
  if (!/LoadImage/i.test(image.class_type) || typeof image.inputs.image !== 'string') {
    throw new WorkflowError('wrong_class', i18n.t('comfyui.errWrongClass', [nodeLabel(workflow, mapping.imageNode!), imageWhat]));
  }
  const promptWhat = i18n.t('comfyui.rolePrompt');
  const prompt = need(mapping.promptNode, promptWhat);
  const promptField = field(mapping.promptNode!, prompt, mapping.promptField, 'string', promptWhat);
  const seedWhat = i18n.t('comfyui.roleSeed');
  const seed = need(mapping.seedNode, seedWhat);
  const seedField = field(mapping.seedNode!, seed, mapping.seedField, 'number', seedWhat);
  const out: ComfyMapping = { imageNode: mapping.imageNode!, promptNode: mapping.promptNode!, promptField, seedNode: mapping.seedNode!, seedField };
  if (mapping.strengthNode) {
    const strengthWhat = i18n.t('comfyui.roleStrength');
    const strength = need(mapping.strengthNode, strengthWhat);
    out.strengthNode = mapping.strengthNode;
    out.strengthField = field(mapping.strengthNode, strength, mapping.strengthField, 'number', strengthWhat);
  }
  return out;
}

/**
 * The workflow for one job: a copy with the uploaded image's name, the prompt, the seed and (when
 * mapped and given) the strength filled in. The mapping is checked first.
 */
export function patchWorkflow(workflow: ComfyWorkflow, mapping: ComfyMapping, values: ComfyJobValues): ComfyWorkflow {
  const m = checkMapping(workflow, mapping);
  const out: ComfyWorkflow = structuredClone(workflow);
  out[m.imageNode]!.inputs.image = values.imageName;
  out[m.promptNode]!.inputs[m.promptField] = values.prompt;
  out[m.seedNode]!.inputs[m.seedField] = values.seed;
  if (m.strengthNode && m.strengthField && values.strength !== undefined) out[m.strengthNode]!.inputs[m.strengthField] = values.strength;
  return out;
}

/** The checkpoint a workflow loads, for "runs on" texts; undefined when it has no simple loader. */
export function workflowCheckpoint(workflow: ComfyWorkflow): string | undefined {
  for (const id of orderedIds(workflow)) {
    const name = workflow[id]!.inputs.ckpt_name ?? workflow[id]!.inputs.unet_name;
    if (typeof name === 'string' && name) return name;
  }
  return undefined;
}
