/**
 * A payload: one prompt with its generation settings. A recipe's value is computed from the
 * images of every payload of the set. Sampler and scheduler use ComfyUI's names (`euler`,
 * `dpmpp_2m`, `karras`); the A1111 backend translates them.
 */
export interface Payload {
  /** Unique within the set; used in the journal's details and in image file names. */
  name: string;
  prompt: string;
  negative: string;
  seed: number;
  steps: number;
  cfg: number;
  sampler: string;
  scheduler: string;
  width: number;
  height: number;
  /** Images generated for this payload per recipe (one batch). */
  images: number;
  /** Weight of this payload's score in the recipe's value. */
  weight: number;
}

/** The fields a payload item may set, each falling back to the set's `defaults`. */
export const PAYLOAD_FIELDS = ['prompt', 'negative', 'seed', 'steps', 'cfg', 'sampler', 'scheduler', 'width', 'height', 'images', 'weight'] as const;

/** Built-in values of every field an item or the set's defaults leave out (SD1-friendly). */
export const PAYLOAD_DEFAULTS: Omit<Payload, 'name' | 'prompt'> & { variants: number } = {
  negative: '',
  seed: 1,
  steps: 20,
  cfg: 7,
  sampler: 'euler',
  scheduler: 'normal',
  width: 512,
  height: 512,
  images: 1,
  weight: 1,
  variants: 1,
};

/** A payload item as written: a bare prompt, or an object. */
export type PayloadItemInput = string | (Partial<Payload> & { variants?: number });

/** A payload set as written in the experiment or in a payload file. */
export interface PayloadSetInput {
  defaults?: Partial<Omit<Payload, 'name'>> & { variants?: number };
  /** Directory of `<name>.txt` files, or the options inline: `{color: [red, blue]}`. */
  wildcards?: string | Record<string, string[]>;
  items: PayloadItemInput[];
}
