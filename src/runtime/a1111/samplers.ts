/**
 * Payloads name samplers as ComfyUI does; A1111 and Forge take their own labels (the `name` of
 * GET /sdapi/v1/samplers). Names not listed here are passed through unchanged, so a payload may
 * also use an A1111 label directly. Schedulers (A1111 1.9+) accept ComfyUI's lower-case names
 * (karras, exponential, sgm_uniform, simple, normal, ddim, beta) as they are.
 */
const SAMPLER_LABELS: Readonly<Record<string, string>> = {
  euler: 'Euler',
  euler_ancestral: 'Euler a',
  heun: 'Heun',
  dpm_2: 'DPM2',
  dpm_2_ancestral: 'DPM2 a',
  lms: 'LMS',
  dpm_fast: 'DPM fast',
  dpm_adaptive: 'DPM adaptive',
  dpmpp_2s_ancestral: 'DPM++ 2S a',
  dpmpp_sde: 'DPM++ SDE',
  dpmpp_2m: 'DPM++ 2M',
  dpmpp_2m_sde: 'DPM++ 2M SDE',
  dpmpp_3m_sde: 'DPM++ 3M SDE',
  ddim: 'DDIM',
  uni_pc: 'UniPC',
  lcm: 'LCM',
};

export function a1111Sampler(name: string): string {
  return SAMPLER_LABELS[name] ?? name;
}

/** ComfyUI's `ddim_uniform` is A1111's `ddim`; the other shared schedulers have the same name. */
export function a1111Scheduler(name: string): string {
  return name === 'ddim_uniform' ? 'ddim' : name;
}
