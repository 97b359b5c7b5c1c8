import { afterEach, describe, expect, it, vi } from 'vitest';
import { createComfyuiAdapter, corsFlag, listCheckpoints, testConnection } from '../../../utils/providers/comfyui';
import { DEFAULT_MAPPING, defaultWorkflow } from '../../../utils/comfyui/default-workflow';
import type { ComfySetup } from '../../../utils/comfyui/setup-store';
import { toRouteStrength } from '../../../utils/models';
import { ctxFor, errorOf, fakeFetch, input, jsonResponse, partsOf, realImage, routeOf, type FetchCall } from './contract-helpers';
import { jobRecord, pngResponse, settle, setup } from '../jobs/fixtures';
import { createProgressWatcher, type ProgressWatcher } from '../../../utils/comfyui/progress-socket';
import { FakeSocket } from '../fake-websocket';

const BASE = 'http://127.0.0.1:8188';
const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
const route = routeOf('flux-dev', 'comfyui:prompt');

function adapter(setupRecord?: ComfySetup, progress?: ProgressWatcher) {
  let n = 0;
  return createComfyuiAdapter({
    loadSetup: async () => setupRecord,
    extensionOrigin: () => ORIGIN,
    newId: () => `pid-${++n}`,
    randomSeed: () => 42,
    ...(progress ? { progress } : {}),
  });
}

const path = (c: FetchCall) => `${c.method} ${new URL(c.url).pathname}${new URL(c.url).search}`;

const historyDone = (id: string) => ({
  [id]: {
    prompt: [0, id, {}, {}, ['8']],
    outputs: { '8': { images: [{ filename: 'image-prompt_00001_.png', subfolder: '', type: 'output' }] }, '9': { images: [{ filename: 'prev.png', subfolder: '', type: 'temp' }] } },
    status: { status_str: 'success', completed: true, messages: [['execution_start', { prompt_id: id }], ['execution_success', { prompt_id: id }]] },
    meta: {},
  },
});

describe('ComfyUI adapter', () => {
  it('uploads the reference as multipart, then posts the patched workflow with the reserved prompt_id', async () => {
    const a = adapter({ workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' });
    const { fetch, calls } = fakeFetch(jsonResponse({ name: 'image-prompt-pid-9.jpg', subfolder: '', type: 'input' }), jsonResponse({ prompt_id: 'pid-9', number: 3, node_errors: {} }));
    // What the panel sends for "a lighthouse", strength slider at 70%, seed chosen by prepareInput.
    const gen = input({ image: await realImage('image/jpeg'), prompt: 'a lighthouse at dusk', seed: 987654, strength: toRouteStrength(route.strength!, 0.7) });
    const out = await a.submit(route, gen, ctxFor(fetch, BASE, ''), { promptId: 'pid-9' });
    expect(out).toEqual({ kind: 'submitted', handle: { promptId: 'pid-9' } });
    expect(calls.map(path)).toEqual(['POST /upload/image', 'POST /prompt']);
    expect(calls[0]!.headers.authorization).toBeUndefined();
    const parts = await partsOf(calls[0]!.body as FormData);
    expect(parts).toEqual([
      ['image', { filename: 'image-prompt-pid-9.jpg', type: 'image/jpeg', bytes: gen.image!.blob.size }],
      ['overwrite', 'true'],
    ]);
    const body = JSON.parse(String(calls[1]!.body)) as { prompt: Record<string, { inputs: Record<string, unknown> }>; prompt_id: string; client_id: string };
    expect(body.prompt_id).toBe('pid-9');
    expect(body.client_id).toBe('image-prompt-pid-9');
    expect(body.prompt['2']!.inputs.image).toBe('image-prompt-pid-9.jpg');
    expect(body.prompt['4']!.inputs.text).toBe('a lighthouse at dusk');
    expect(body.prompt['6']!.inputs).toMatchObject({ seed: 987654, denoise: 0.3 });
  });

  it('uses the bundled template when nothing is saved, and refuses a job without an image prompt', async () => {
    const { fetch, calls } = fakeFetch(jsonResponse({ name: 'x.png', subfolder: 'sub', type: 'input' }), jsonResponse({ prompt_id: 'pid-1', number: 0, node_errors: {} }));
    await adapter().submit(route, input({ image: await realImage('image/png'), seed: 1 }), ctxFor(fetch, BASE, ''));
    expect(JSON.parse(String(calls[1]!.body)).prompt['2'].inputs.image).toBe('sub/x.png');
    const e = await errorOf(adapter().submit(route, input(), ctxFor(fakeFetch().fetch, BASE, '')));
    expect(e.kind).toBe('invalid_input');
    expect(e.message).toMatch(/add an image prompt first/);
  });

  it('says which node ComfyUI refused and why', async () => {
    const { fetch } = fakeFetch(
      jsonResponse({ name: 'x.png', subfolder: '', type: 'input' }),
      jsonResponse(
        {
          error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details: '', extra_info: {} },
          node_errors: { '1': { errors: [{ type: 'value_not_in_list', message: 'Value not in list', details: "ckpt_name: 'flux1-dev-fp8.safetensors' not in ['sd15.safetensors']" }], dependent_outputs: ['8'], class_type: 'CheckpointLoaderSimple' } },
        },
        400,
      ),
    );
    const e = await errorOf(adapter().submit(route, input({ image: await realImage('image/png'), seed: 1 }), ctxFor(fetch, BASE, '')));
    expect(e.kind).toBe('invalid_input');
    expect(e.message).toBe("ComfyUI refused the workflow. 1 (CheckpointLoaderSimple \u201cLoad Checkpoint\u201d): Value not in list: ckpt_name: 'flux1-dev-fp8.safetensors' not in ['sd15.safetensors']");
  });

  it('reads the queue while pending, then the saved images from the history', async () => {
    const a = adapter();
    const queue = { queue_running: [[0, 'other', {}, {}, []]], queue_pending: [[7, 'later', {}, {}, []], [2, 'pid-1', {}, {}, []], [1, 'first', {}, {}, []]] };
    const { fetch, calls } = fakeFetch(jsonResponse({}), jsonResponse(queue), jsonResponse({}), jsonResponse({ queue_running: [[2, 'pid-1']], queue_pending: [] }), jsonResponse(historyDone('pid-1')));
    const ctx = ctxFor(fetch, BASE, '');
    expect(await a.poll(route, { promptId: 'pid-1' }, ctx)).toEqual({ kind: 'pending', stage: 'queued', queuePosition: 2 });
    expect(await a.poll(route, { promptId: 'pid-1' }, ctx)).toEqual({ kind: 'pending', stage: 'running' });
    expect(await a.poll(route, { promptId: 'pid-1' }, ctx)).toEqual({
      kind: 'done',
      outputs: [{ kind: 'url', url: `${BASE}/view?filename=image-prompt_00001_.png&subfolder=&type=output` }],
    });
    expect(calls.map(path)).toEqual(['GET /history/pid-1', 'GET /queue', 'GET /history/pid-1', 'GET /queue', 'GET /history/pid-1']);
  });

  it('reports a failed run with ComfyUI\u2019s own message, and a job ComfyUI never received', async () => {
    const failed = {
      'pid-1': { outputs: {}, status: { status_str: 'error', completed: false, messages: [['execution_start', { prompt_id: 'pid-1' }], ['execution_error', { prompt_id: 'pid-1', node_id: '6', node_type: 'KSampler', exception_message: 'Allocation on device ', exception_type: 'torch.OutOfMemoryError' }]] } },
    };
    const e = await errorOf(adapter().poll(route, { promptId: 'pid-1' }, ctxFor(fakeFetch(jsonResponse(failed)).fetch, BASE, '')));
    expect(e.message).toBe('ComfyUI could not run the workflow (node 6 (KSampler)). Allocation on device');
    const gone = await errorOf(adapter().poll(route, { promptId: 'pid-1' }, ctxFor(fakeFetch(jsonResponse({}), jsonResponse({ queue_running: [], queue_pending: [] }), jsonResponse({})).fetch, BASE, '')));
    expect(gone.kind).toBe('not_found');
    expect(gone.message).toMatch(/no record of this job/);
  });

  it('recognises ComfyUI\u2019s origin check and names the exact start flag', async () => {
    const e = await errorOf(listCheckpoints(ctxFor(fakeFetch(new Response(null, { status: 403 })).fetch, BASE, ''), ORIGIN));
    expect(e.message).toBe(`ComfyUI refused the extension (403): by default it only answers its own pages. Start ComfyUI with --enable-cors-header ${ORIGIN} and try again.`);
    expect(corsFlag('moz-extension://1234-abcd')).toBe('--enable-cors-header moz-extension://1234-abcd');
    const sub = await errorOf(adapter().submit(route, input({ image: await realImage('image/png') }), ctxFor(fakeFetch(new Response(null, { status: 403 })).fetch, BASE, '')));
    expect(sub.message).toContain(`--enable-cors-header ${ORIGIN}`);
  });

  it('tests the connection with a POST too: the origin check may refuse only those', async () => {
    // Browsers send no Origin on the extension's GETs: the listing works, the harmless
    // `POST /queue {}` meets the 403 every job would.
    const old = { CheckpointLoaderSimple: { input: { required: { ckpt_name: [['a.safetensors'], {}] } } } };
    const refused = fakeFetch(jsonResponse(old), new Response(null, { status: 403 }));
    const e = await errorOf(testConnection(ctxFor(refused.fetch, BASE, ''), ORIGIN));
    expect(e.message).toContain(`Start ComfyUI with --enable-cors-header ${ORIGIN}`);
    expect(refused.calls.map(path)).toEqual(['GET /object_info/CheckpointLoaderSimple', 'POST /queue']);
    expect(JSON.parse(String(refused.calls[1]!.body))).toEqual({});

    const open = fakeFetch(jsonResponse(old), new Response(null, { status: 200 }));
    expect(await testConnection(ctxFor(open.fetch, BASE, ''), ORIGIN)).toEqual(['a.safetensors']);
  });

  it('lists checkpoints in both shapes object_info has used', async () => {
    const old = { CheckpointLoaderSimple: { input: { required: { ckpt_name: [['a.safetensors', 'b.ckpt'], { tooltip: 'x' }] } } } };
    const combo = { CheckpointLoaderSimple: { input: { required: { ckpt_name: ['COMBO', { options: ['c.safetensors'] }] } } } };
    const { fetch, calls } = fakeFetch(jsonResponse(old), jsonResponse(combo));
    expect(await listCheckpoints(ctxFor(fetch, BASE, ''), ORIGIN)).toEqual(['a.safetensors', 'b.ckpt']);
    expect(await listCheckpoints(ctxFor(fetch, BASE, ''), ORIGIN)).toEqual(['c.safetensors']);
    expect(calls.map(path)).toEqual(['GET /object_info/CheckpointLoaderSimple', 'GET /object_info/CheckpointLoaderSimple']);
  });

  it('cancels by removing the job from the queue and interrupting only that job', async () => {
    const { fetch, calls } = fakeFetch(new Response(null, { status: 200 }), new Response(null, { status: 200 }));
    await adapter().cancel!(route, { promptId: 'pid-3' }, ctxFor(fetch, BASE, ''));
    expect(calls.map((c) => [path(c), String(c.body)])).toEqual([
      ['POST /queue', '{"delete":["pid-3"]}'],
      ['POST /interrupt', '{"prompt_id":"pid-3"}'],
    ]);
  });
});

describe('ComfyUI adapter: steps from the websocket', () => {
  afterEach(() => {
    FakeSocket.opened = [];
  });
  const running = () => jsonResponse({ queue_running: [[0, 'pid-9', {}, {}, []]], queue_pending: [] });

  it('opens the job’s socket before posting it, under the client_id it posts', async () => {
    const a = adapter(undefined, createProgressWatcher(FakeSocket));
    const { fetch, calls } = fakeFetch((call) => {
      if (path(call) === 'POST /upload/image') return jsonResponse({ name: 'x.png', subfolder: '', type: 'input' });
      // By the time the prompt is posted, the socket that will hear its progress exists.
      expect(FakeSocket.opened.map((s) => s.url)).toEqual(['ws://127.0.0.1:8188/ws?clientId=image-prompt-pid-9']);
      expect(JSON.parse(String(call.body)).client_id).toBe('image-prompt-pid-9');
      return jsonResponse({ prompt_id: 'pid-9', number: 0, node_errors: {} });
    });
    await a.submit(route, input({ image: await realImage('image/png'), seed: 1 }), ctxFor(fetch, BASE, ''), { promptId: 'pid-9' });
    expect(calls).toHaveLength(2);
    await a.cancel!(route, { promptId: 'pid-9' }, ctxFor(fakeFetch(new Response(null), new Response(null)).fetch, BASE, ''));
    expect(FakeSocket.opened[0]!.closed).toBe(true);
  });

  it('closes the socket when ComfyUI refuses the prompt', async () => {
    const a = adapter(undefined, createProgressWatcher(FakeSocket));
    const { fetch } = fakeFetch(jsonResponse({ name: 'x.png', subfolder: '', type: 'input' }), jsonResponse({ error: 'no', node_errors: {} }, 400));
    await errorOf(a.submit(route, input({ image: await realImage('image/png'), seed: 1 }), ctxFor(fetch, BASE, ''), { promptId: 'pid-9' }));
    expect(FakeSocket.opened[0]!.closed).toBe(true);
  });

  it('returns the latest step with a running job, and still finishes by polling', async () => {
    const a = adapter(undefined, createProgressWatcher(FakeSocket));
    const { fetch, calls } = fakeFetch(jsonResponse({}), running(), jsonResponse({}), running(), jsonResponse(historyDone('pid-9')));
    const ctx = ctxFor(fetch, BASE, '');
    // After a worker restart nothing is in memory: the first poll opens the socket again.
    expect(await a.poll(route, { promptId: 'pid-9' }, ctx)).toEqual({ kind: 'pending', stage: 'running' });
    const socket = FakeSocket.opened[0]!;
    expect(socket.url).toBe('ws://127.0.0.1:8188/ws?clientId=image-prompt-pid-9');
    socket.say('progress', { value: 12, max: 20, prompt_id: 'pid-9', node: '6' });
    expect(await a.poll(route, { promptId: 'pid-9' }, ctx)).toEqual({ kind: 'pending', stage: 'running', step: { value: 12, max: 20 } });
    socket.say('executing', { node: null, prompt_id: 'pid-9' });
    expect(socket.closed).toBe(true);
    expect((await a.poll(route, { promptId: 'pid-9' }, ctx)).kind).toBe('done');
    expect(calls.map(path)).toEqual(['GET /history/pid-9', 'GET /queue', 'GET /history/pid-9', 'GET /queue', 'GET /history/pid-9']);
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it('gives no step while the job waits in line, and closes the socket when the run failed', async () => {
    const a = adapter(undefined, createProgressWatcher(FakeSocket));
    const failed = { 'pid-9': { outputs: {}, status: { status_str: 'error', completed: false, messages: [['execution_error', { prompt_id: 'pid-9', node_id: '6', node_type: 'KSampler', exception_message: 'OOM' }]] } } };
    const { fetch } = fakeFetch(jsonResponse({}), jsonResponse({ queue_running: [[0, 'other']], queue_pending: [[1, 'pid-9']] }), jsonResponse(failed));
    const ctx = ctxFor(fetch, BASE, '');
    FakeSocket.opened = [];
    const pending = a.poll(route, { promptId: 'pid-9' }, ctx);
    FakeSocket.opened[0]!.say('progress', { value: 1, max: 20 }); // another client's job on a shared id would say its own prompt_id
    expect(await pending).toEqual({ kind: 'pending', stage: 'queued', queuePosition: 1 });
    await errorOf(a.poll(route, { promptId: 'pid-9' }, ctx));
    expect(FakeSocket.opened[0]!.closed).toBe(true);
  });

  it('never lets the socket fail the job', async () => {
    const a = adapter(undefined, createProgressWatcher(FakeSocket));
    const { fetch } = fakeFetch(jsonResponse({}), running(), jsonResponse(historyDone('pid-9')));
    const ctx = ctxFor(fetch, BASE, '');
    expect(await a.poll(route, { promptId: 'pid-9' }, ctx)).toEqual({ kind: 'pending', stage: 'running' });
    FakeSocket.opened[0]!.emit('error');
    FakeSocket.opened[0]!.emit('close');
    expect((await a.poll(route, { promptId: 'pid-9' }, ctx)).kind).toBe('done');
  });
});

describe('a ComfyUI job told by the socket that its run ended', () => {
  it('is looked up at once instead of at the next poll', async () => {
    let done = false;
    const comfy = fakeFetch((call) => {
      const p = path(call);
      if (p === 'POST /upload/image') return jsonResponse({ name: 'in.png', subfolder: '', type: 'input' });
      if (p === 'POST /prompt') return jsonResponse({ prompt_id: 'pid-1', number: 0, node_errors: {} });
      if (p === 'GET /history/pid-1') return jsonResponse(done ? historyDone('pid-1') : {});
      if (p === 'GET /queue') return jsonResponse({ queue_running: [[0, 'pid-1', {}, {}, []]], queue_pending: [] });
      if (p.startsWith('GET /view')) return pngResponse();
      throw new Error(`unexpected ${p}`);
    });
    FakeSocket.opened = [];
    const a = adapter({ workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' }, createProgressWatcher(FakeSocket));
    // Time stands still after the first wait: only the socket's word can move the job on.
    let waits = 0;
    const sleep = (_ms: number, signal: AbortSignal) =>
      ++waits === 1 ? Promise.resolve() : new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    const { engine, db } = await setup(
      {
        fetch: comfy.fetch,
        sleep,
        chooseRoute: async () => route,
        targetFor: async () => ({ baseUrl: BASE, key: '' }),
        prepareInput: async () => ({ prompt: 'p', image: await realImage('image/png'), numImages: 1, seed: 3 }),
      },
      a,
    );
    const { job } = await engine.enqueue({ ...jobRecord('x').request, modelId: 'flux-dev' });
    await vi.waitFor(async () => expect((await db.get('jobs', job.id))?.progress?.stage).toBe('running'));
    expect(engine.activeCount()).toBe(1);
    done = true;
    FakeSocket.opened[0]!.say('execution_success', { prompt_id: 'pid-1', timestamp: 1 });
    await settle(engine);
    expect((await db.get('jobs', job.id))?.state).toBe('done');
  });
});

describe('a ComfyUI job across a worker restart', () => {
  /**
   * A ComfyUI that knows prompt pid-7 (queued, then done) and serves its image; or that never
   * received it, and takes it when it is sent again (any prompt posted is done at once).
   */
  function comfyKnowing(known: boolean) {
    let historyAsks = 0;
    const posted = new Set<string>();
    return fakeFetch((call) => {
      const p = path(call);
      if (p === 'GET /history/pid-7') return jsonResponse(known && ++historyAsks > 1 ? historyDone('pid-7') : {});
      if (p === 'GET /queue') return jsonResponse({ queue_running: known ? [[0, 'pid-7', {}, {}, []]] : [], queue_pending: [] });
      if (p.startsWith('GET /view')) return pngResponse();
      if (p === 'POST /upload/image') return jsonResponse({ name: 'again.png', subfolder: '', type: 'input' });
      if (p === 'POST /prompt') {
        const id = (JSON.parse(String(call.body)) as { prompt_id: string }).prompt_id;
        posted.add(id);
        return jsonResponse({ prompt_id: id, number: 0, node_errors: {} });
      }
      const again = /^GET \/history\/(.+)$/.exec(p)?.[1];
      if (again && posted.has(again)) return jsonResponse(historyDone(again));
      throw new Error(`unexpected ${p}`);
    });
  }

  async function resumeSubmitting(known: boolean) {
    const comfy = comfyKnowing(known);
    const a = adapter({ workflow: defaultWorkflow(), mapping: DEFAULT_MAPPING, source: 'template' });
    const { engine, db } = await setup(
      {
        fetch: comfy.fetch,
        targetFor: async () => ({ baseUrl: BASE, key: '' }),
        prepareInput: async () => ({ prompt: 'p', image: await realImage('image/png'), numImages: 1, seed: 3 }),
      },
      a,
    );
    // What a worker stopped during submit left behind: the id it chose was written first.
    await db.put('jobs', jobRecord('job-c', { state: 'submitting', routeId: route.id, provider: 'comfyui', submitStartedAt: 1_700_000_000_000, reservedHandle: { promptId: 'pid-7' } }));
    await engine.resumeUnfinished();
    await settle(engine);
    return { job: await db.get('jobs', 'job-c'), calls: comfy.calls };
  }

  it('looks the job up instead of queuing it again, and saves its image', async () => {
    const { job, calls } = await resumeSubmitting(true);
    expect(job?.state).toBe('done');
    expect(job?.handle).toEqual({ promptId: 'pid-7' });
    expect(calls.some((c) => path(c) === 'POST /prompt' || path(c) === 'POST /upload/image')).toBe(false);
  });

  it('sends it again, once, with a new id, when ComfyUI never received it (it costs nothing there)', async () => {
    const { job, calls } = await resumeSubmitting(false);
    // The stopped worker's upload may have landed; the job itself never did.
    expect(calls.filter((c) => c.method === 'POST').map(path)).toEqual(['POST /upload/image', 'POST /prompt']);
    const posted = JSON.parse(String(calls.find((c) => path(c) === 'POST /prompt')!.init?.body)) as { prompt_id: string };
    expect(posted.prompt_id).not.toBe('pid-7');
    expect(job?.state).toBe('done');
    expect(job?.attempts).toBe(1);
    expect(job?.lookingUp).toBeUndefined();
  });

  it('does not send again a job it found once and then lost, nor for a provider that may charge', async () => {
    // Queued at the first look, then gone (ComfyUI restarted): that is not an unsent job.
    let looks = 0;
    const lost = fakeFetch((call) => {
      const p = path(call);
      if (p === 'GET /history/pid-7') return jsonResponse({});
      if (p === 'GET /queue') return jsonResponse({ queue_running: [], queue_pending: ++looks === 1 ? [[0, 'pid-7', {}, {}, []]] : [] });
      throw new Error(`unexpected ${p}`);
    });
    const stored = jobRecord('job-c', { state: 'submitting', routeId: route.id, provider: 'comfyui', submitStartedAt: 1_700_000_000_000, reservedHandle: { promptId: 'pid-7' } });
    const first = await setup({ fetch: lost.fetch, targetFor: async () => ({ baseUrl: BASE, key: '' }), pollIntervalMs: 1 }, adapter());
    await first.db.put('jobs', stored);
    await first.engine.resumeUnfinished();
    await settle(first.engine);
    expect(await first.db.get('jobs', 'job-c')).toMatchObject({ state: 'failed', error: { message: expect.stringMatching(/no record of this job/) } });
    expect(lost.calls.filter((c) => c.method === 'POST')).toEqual([]);

    // The same unsent job, on an adapter that does not say a second send is free.
    const never = comfyKnowing(false);
    const second = await setup({ fetch: never.fetch, targetFor: async () => ({ baseUrl: BASE, key: '' }) }, { ...adapter(), resendsUnreceived: false });
    await second.db.put('jobs', stored);
    await second.engine.resumeUnfinished();
    await settle(second.engine);
    expect((await second.db.get('jobs', 'job-c'))?.state).toBe('failed');
    expect(never.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('stores the reserved id on the job before the submit is sent', async () => {
    const seen: Array<string | undefined> = [];
    const base = adapter();
    const { engine, db } = await setup(
      { targetFor: async () => ({ baseUrl: BASE, key: '' }), prepareInput: async () => ({ prompt: 'p', image: await realImage('image/png'), numImages: 1, seed: 3 }) },
      {
        ...base,
        async submit(_r, _i, _c, reserved) {
          seen.push((await db.get('jobs', 'job-1'))?.reservedHandle?.promptId, reserved?.promptId);
          throw new Error('stop here');
        },
      },
    );
    await engine.enqueue({ ...jobRecord('x').request, modelId: 'flux-dev' });
    await settle(engine);
    expect(seen).toEqual(['pid-1', 'pid-1']);
  });
});
