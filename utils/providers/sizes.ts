/**
 * Output sizes for routes whose provider takes pixel sizes or size presets instead of an
 * aspect ratio. Keys are the panel's ratios (the same strings as the routes' aspectRatios).
 */

export interface PixelSize {
  width: number;
  height: number;
}

/**
 * Seedream 3 text-to-image: any size with both sides in 512..2048; these are ByteDance's
 * recommended sizes (about one megapixel) for each ratio. Used for BytePlus `size: "WxH"` and
 * fal's `image_size: { width, height }`.
 */
export const SEEDREAM3_SIZES: Readonly<Record<string, PixelSize>> = {
  '1:1': { width: 1024, height: 1024 },
  '3:4': { width: 864, height: 1152 },
  '4:3': { width: 1152, height: 864 },
  '16:9': { width: 1280, height: 720 },
  '9:16': { width: 720, height: 1280 },
  '2:3': { width: 832, height: 1248 },
  '3:2': { width: 1248, height: 832 },
  '21:9': { width: 1512, height: 648 },
};

/** fal's named `image_size` presets, by the ratio each stands for. */
export const FAL_SIZE_PRESETS: Readonly<Record<string, string>> = {
  '1:1': 'square_hd',
  '4:3': 'landscape_4_3',
  '3:4': 'portrait_4_3',
  '16:9': 'landscape_16_9',
  '9:16': 'portrait_16_9',
};
