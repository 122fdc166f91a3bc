/** The container runtimes `tug up --runtime` chooses from. */
export type RuntimeChoice = 'auto' | 'containerd' | 'docker' | 'fake';

/** Every {@link RuntimeChoice}, for flag validation (kept apart so parsing flags loads no runtime). */
export const runtimeChoices: readonly RuntimeChoice[] = ['auto', 'containerd', 'docker', 'fake'];
