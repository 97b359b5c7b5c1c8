import { describe, expect, it } from 'vitest';
import { fromRouteStrength, MODELS, toRouteStrength, type StrengthKnob } from '@/utils/models';

describe('model catalogue', () => {
  it('lists the ten models users pick from, each with at least one route', () => {
    expect(MODELS.map((m) => m.name)).toEqual([
      'Flux dev',
      'Realistic',
      'ChatGPT Image',
      'Imagen 3',
      'Flux Ultra 1.1',
      'Ideogram v3',
      'Minimax Image',
      'Seedream v3',
      'Ideogram Character',
      'Dreamina Image 3.1',
    ]);
    for (const m of MODELS) {
      expect(m.routes.length).toBeGreaterThan(0);
      expect(m.description.length).toBeGreaterThan(20);
    }
    const ids = MODELS.flatMap((m) => m.routes.map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('maps one Reference strength onto each knob\u2019s range and direction', () => {
    const img2img: StrengthKnob = { field: 'strength', min: 0.01, max: 1, default: 0.95, higherKeepsMore: false };
    const weight: StrengthKnob = { field: 'image_weight', min: 1, max: 100, default: 50, higherKeepsMore: true, integer: true };
    // Following the reference closely means a LOW img2img strength but a HIGH image weight.
    expect(toRouteStrength(img2img, 1)).toBe(0.01);
    expect(toRouteStrength(img2img, 0)).toBe(1);
    expect(toRouteStrength(weight, 1)).toBe(100);
    expect(toRouteStrength(weight, 0)).toBe(1);
    expect(toRouteStrength(weight, 0.5)).toBe(51);
    expect(toRouteStrength(weight, 7)).toBe(100);
    // The slider's start position reproduces the provider's default.
    expect(toRouteStrength(img2img, fromRouteStrength(img2img, 0.95))).toBe(0.95);
    expect(toRouteStrength(weight, fromRouteStrength(weight, 50))).toBe(50);
  });
});
