/**
 * An object as a client sent it: the shape of `T`, but with every field possibly missing at any
 * depth. Validation and defaulting take their input as `Unchecked`, because nothing guarantees
 * that a decoded request honours the fields its type calls required.
 */
export type Unchecked<T> = T extends readonly (infer U)[]
  ? Unchecked<U>[]
  : T extends object
    ? { [K in keyof T]?: Unchecked<T[K]> | undefined }
    : T;
