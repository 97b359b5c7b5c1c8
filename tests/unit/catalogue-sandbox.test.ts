// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { MODELS, type RouteSpec } from '../../utils/models';
import { getAdapter } from '../../utils/providers';
import type { PollOutcome, ProviderOutput } from '../../utils/providers/types';
import { toRouteStrength } from '../../utils/models';
import { input, realImage, useSandbox } from './providers/contract-helpers';

/**
 * One test per catalogue route: its adapter builds the request from the route's own data and the
 * sandbox, which speaks the provider's documented protocol, accepts it and returns a real image.
 * Retired routes must be refused the way their provider refuses a model it no longer has, and
 * the adapter must read that answer as "route unavailable". Adding a route without teaching the
 * adapter or the sandbox fails here.
 */

const all = MODELS.flatMap((m) => m.routes.map((r) => [r.id, r] as const));
const imageMagic = (b: Uint8Array) => (b[0] === 0x89 && b[1] === 0x50) || (b[0] === 0xff && b[1] === 0xd8) || (b[8] === 0x57 && b[9] === 0x45);

async function outputBytes(o: ProviderOutput): Promise<Uint8Array> {
  if (o.kind === 'blob') return new Uint8Array(await o.blob.arrayBuffer());
  const res = await fetch(o.url);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function run(route: RouteSpec, baseUrl: string) {
  const adapter = getAdapter(route.provider)!;
  const ctx = { fetch, baseUrl, key: 'sandbox-key' };
  const image = route.imageInput === 'native' ? await realImage(route.input.formats.includes('image/jpeg') ? 'image/jpeg' : 'image/png') : null;
  const ratio = route.aspectRatios?.[1] ?? route.aspectRatios?.[0];
  const gen = input({
    image,
    numImages: Math.min(2, route.maxImages),
    aspectRatio: ratio,
    seed: route.seed ? route.seed.max : undefined,
    strength: route.strength ? toRouteStrength(route.strength, 0.7) : undefined,
    prompt: route.imageInput === 'described' ? 'a lighthouse\n\nReference image: a blue and orange field' : 'a lighthouse at dusk',
  });
  const submitted = await adapter.submit(route, gen, ctx);
  if (submitted.kind === 'done') return submitted.outputs;
  for (let i = 0; i < 200; i++) {
    const step: PollOutcome = await adapter.poll(route, submitted.handle, ctx);
    if (step.kind === 'done') return step.outputs;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${route.id} never finished`);
}

describe('every catalogue route against its adapter and the sandbox', () => {
  const sandbox = useSandbox();

  it.each(all)('%s', async (_id, route) => {
    const base = `${sandbox().url}/${route.provider}`;
    if (route.lifecycle.status === 'retired') {
      await expect(run(route, base)).rejects.toMatchObject({ kind: 'route_unavailable', routeId: route.id });
      return;
    }
    const outputs = await run(route, base);
    expect(outputs.length).toBeGreaterThanOrEqual(1);
    expect(imageMagic(await outputBytes(outputs[0]!))).toBe(true);
    // The generation went to the route's own model id (in the path or the body, per provider).
    const wire = route.endpoint.split(':')[0]!;
    const submits = sandbox().requests.filter((r) => r.method === 'POST' && r.provider === route.provider);
    expect(submits.some((r) => r.path.includes(wire) || JSON.stringify(r.body).includes(`"${wire}"`)), `a request for ${wire}`).toBe(true);
  });
});
