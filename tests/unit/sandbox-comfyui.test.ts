// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
// Node 20 has no global WebSocket; `ws` (a dev dependency) is an independent RFC 6455 client,
// so it also checks the sandbox's own handshake and framing.
import { WebSocket } from 'ws';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { acceptKey } from '../../sandbox/websocket';
import { defaultWorkflow } from '../../utils/comfyui/default-workflow';
import { realImage } from './providers/contract-helpers';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

async function start(opts: { comfyuiAllowOrigin?: string; runMs?: number } = {}) {
  sb = await startSandbox({ port: 0, timing: { queueMs: 30, runMs: opts.runMs ?? 60 }, ...opts });
  return `${sb.url}/comfyui`;
}

async function upload(base: string, name = 'ref.png') {
  const form = new FormData();
  form.append('image', (await realImage('image/png')).blob, name);
  form.append('overwrite', 'true');
  return fetch(`${base}/upload/image`, { method: 'POST', body: form });
}

function workflowFor(image: string) {
  const wf = defaultWorkflow();
  wf['2']!.inputs.image = image;
  wf['4']!.inputs.text = 'a lighthouse';
  return wf;
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function until<T>(fn: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('never happened');
}

describe('sandbox ComfyUI', () => {
  it('runs an uploaded image through a workflow under the client\u2019s prompt_id and serves the result', async () => {
    const base = await start();
    expect(await (await upload(base)).json()).toEqual({ name: 'ref.png', subfolder: '', type: 'input' });
    const res = await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), client_id: 'c1', prompt_id: 'my-id' });
    expect(await res.json()).toEqual({ prompt_id: 'my-id', number: 0, node_errors: {} });
    const queue = (await (await fetch(`${base}/queue`)).json()) as { queue_pending: unknown[][] };
    expect(queue.queue_pending.map((i) => i[1])).toEqual(['my-id']);
    const entry = await until(async () => ((await (await fetch(`${base}/history/my-id`)).json()) as Record<string, { outputs: Record<string, { images: Array<{ filename: string; type: string }> }>; status: { status_str: string } }>)['my-id']);
    expect(entry.status.status_str).toBe('success');
    const img = entry.outputs['8']!.images[0]!;
    const view = await fetch(`${base}/view?filename=${encodeURIComponent(img.filename)}&subfolder=&type=${img.type}`);
    expect(view.status).toBe(200);
    expect(new Uint8Array(await view.arrayBuffer()).slice(0, 4)).toEqual(new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
  });

  it('answers node_errors for a workflow it cannot run', async () => {
    const base = await start();
    const wf = workflowFor('missing.png');
    wf['1']!.inputs.ckpt_name = 'nope.safetensors';
    const res = await post(`${base}/prompt`, { prompt: wf });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string }; node_errors: Record<string, { class_type: string; errors: Array<{ message: string; details: string }> }> };
    expect(body.error.type).toBe('prompt_outputs_failed_validation');
    expect(body.node_errors['1']!.errors[0]!.details).toContain("ckpt_name: 'nope.safetensors' not in");
    expect(body.node_errors['2']!.class_type).toBe('LoadImage');
    const unknown = await post(`${base}/prompt`, { prompt: { '1': { class_type: 'NoSuchNode', inputs: {} } } });
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('Cannot execute because node NoSuchNode does not exist.');
  });

  it('removes a pending job from the queue and interrupts a running one', async () => {
    const base = await start();
    await upload(base);
    await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), prompt_id: 'a' });
    await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), prompt_id: 'b' });
    await post(`${base}/queue`, { delete: ['b'] });
    await until(async () => (((await (await fetch(`${base}/queue`)).json()) as { queue_running: unknown[][] }).queue_running.length ? true : undefined));
    await post(`${base}/interrupt`, { prompt_id: 'a' });
    const a = (await (await fetch(`${base}/history/a`)).json()) as Record<string, { status: { status_str: string; messages: unknown[][] } }>;
    expect(a.a!.status.status_str).toBe('error');
    expect(a.a!.status.messages.map((m) => m[0])).toContain('execution_interrupted');
    expect(await (await fetch(`${base}/history/b`)).json()).toEqual({});
  });

  it('lists its checkpoints', async () => {
    const base = await start();
    const info = (await (await fetch(`${base}/object_info/CheckpointLoaderSimple`)).json()) as { CheckpointLoaderSimple: { input: { required: { ckpt_name: [string[]] } } } };
    expect(info.CheckpointLoaderSimple.input.required.ckpt_name[0]).toContain('flux1-dev-fp8.safetensors');
  });

  it('answers 403 to another origin, as ComfyUI does without --enable-cors-header, and not when started with it', async () => {
    const base = await start();
    const origin = { Origin: 'chrome-extension://abcdefghijklmnop' };
    expect((await fetch(`${base}/object_info/CheckpointLoaderSimple`, { headers: origin })).status).toBe(403);
    expect((await fetch(`${base}/object_info/CheckpointLoaderSimple`, { headers: { Origin: sb!.url } })).status).toBe(200);
    await sb!.close();
    const open = await start({ comfyuiAllowOrigin: 'chrome-extension://abcdefghijklmnop' });
    expect((await fetch(`${open}/object_info/CheckpointLoaderSimple`, { headers: origin })).status).toBe(200);
  });

  describe('websocket', () => {
    interface Message {
      type: string;
      data: Record<string, unknown>;
    }

    /** A socket to the stand-in and every text message it receives, in order. */
    async function listen(base: string, clientId: string, origin?: string) {
      const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`, origin ? { origin } : {});
      const messages: Message[] = [];
      ws.on('message', (data, binary) => {
        if (!binary) messages.push(JSON.parse(String(data)) as Message);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      return { ws, messages };
    }

    it('computes the RFC 6455 accept key', () => {
      // The example in RFC 6455 section 1.3.
      expect(acceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    });

    it('tells the job’s client its steps and nodes, and `executing` null once the history is written', async () => {
      const base = await start({ runMs: 400 });
      await upload(base);
      const mine = await listen(base, 'c1');
      const other = await listen(base, 'c2');
      await until(async () => (mine.messages.length ? true : undefined));
      expect(mine.messages[0]).toEqual({ type: 'status', data: { status: { exec_info: { queue_remaining: 0 } }, sid: 'c1' } });

      await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), client_id: 'c1', prompt_id: 'p1' });
      const done = await until(async () => mine.messages.find((m) => m.type === 'executing' && m.data.node === null));
      expect(done.data).toEqual({ node: null, prompt_id: 'p1' });
      // Written before `executing` null is sent, as ComfyUI's prompt_worker does.
      const history = (await (await fetch(`${base}/history/p1`)).json()) as Record<string, { status: { status_str: string } }>;
      expect(history.p1!.status.status_str).toBe('success');

      // Every step of the sampler's own `steps` (20 in the default workflow), in order.
      const progress = mine.messages.filter((m) => m.type === 'progress').map((m) => m.data);
      expect(progress.map((p) => p.value)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(progress[0]).toEqual({ value: 1, max: 20, prompt_id: 'p1', node: '6' });
      const types = mine.messages.filter((m) => m.type !== 'status').map((m) => (m.type === 'executing' ? `executing ${String(m.data.node)}` : m.type));
      const lastProgress = types.lastIndexOf('progress');
      expect(types.slice(0, types.indexOf('progress'))).toEqual(['execution_start', 'execution_cached', 'executing 1', 'executing 4', 'executing 5', 'executing 2', 'executing 3', 'executing 6']);
      expect(types.slice(lastProgress + 1)).toEqual(['executing 7', 'executing 8', 'executed', 'execution_success', 'executing null']);
      const executed = mine.messages.find((m) => m.type === 'executed')!;
      expect(executed.data).toMatchObject({ node: '8', prompt_id: 'p1', output: { images: [{ type: 'output' }] } });
      // Another client hears the queue's status, never this job's execution.
      expect(new Set(other.messages.map((m) => m.type))).toEqual(new Set(['status']));
      mine.ws.close();
      other.ws.close();
    });

    it('tells a client that comes back mid-run the node running now and the steps still to come, not those it missed', async () => {
      const base = await start({ runMs: 600 });
      await upload(base);
      await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), client_id: 'c1', prompt_id: 'p1' });
      // Nobody listens while the run starts (a stopped worker).
      await until(async () => (((await (await fetch(`${base}/queue`)).json()) as { queue_running: unknown[] }).queue_running.length ? true : undefined));
      await new Promise((r) => setTimeout(r, 150));
      const back = await listen(base, 'c1');
      await until(async () => back.messages.find((m) => m.type === 'executing' && m.data.node === null));
      expect(back.messages[1]).toEqual({ type: 'executing', data: { node: '6' } });
      const values = back.messages.filter((m) => m.type === 'progress').map((m) => m.data.value as number);
      expect(values[0]).toBeGreaterThan(1);
      expect(values.at(-1)).toBe(20);
      expect(back.messages.some((m) => m.type === 'execution_start')).toBe(false);
      // A reset closes the sockets too.
      const closed = new Promise<void>((resolve) => back.ws.once('close', () => resolve()));
      sb!.reset();
      await closed;
    });

    it('sends the error a failed run recorded, then `executing` null', async () => {
      const base = await start({ runMs: 100 });
      await upload(base);
      const mine = await listen(base, 'c1');
      sb!.injectFault({ provider: 'comfyui', on: 'run', status: 500, body: { message: 'Out of memory' } });
      await post(`${base}/prompt`, { prompt: workflowFor('ref.png'), client_id: 'c1', prompt_id: 'p1' });
      await until(async () => mine.messages.find((m) => m.type === 'executing' && m.data.node === null));
      const error = mine.messages.find((m) => m.type === 'execution_error');
      expect(error?.data).toMatchObject({ prompt_id: 'p1', node_id: '6', exception_message: 'Out of memory' });
      expect(mine.messages.some((m) => m.type === 'execution_success' || m.type === 'executed')).toBe(false);
      mine.ws.close();
    });

    it('refuses another origin unless started with --enable-cors-header, and answers a close', async () => {
      const base = await start();
      const refused = new WebSocket(`${base.replace(/^http/, 'ws')}/ws?clientId=x`, { origin: 'chrome-extension://abcdefghijklmnop' });
      const status = await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(403);
      const { ws } = await listen(base, 'x', sb!.url);
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.close(1000);
      expect(await closed).toBe(1000);
      expect(sb!.requests.filter((r) => r.path.startsWith('/comfyui/ws')).length).toBe(2);
    });
  });
});
