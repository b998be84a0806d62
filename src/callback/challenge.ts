/**
 * The proof of work a busy address must solve (the Livechat's challenge). The seam: a module that has one
 * provides PROOF_OF_WORK; without it, an address over the threshold is refused until its day is over.
 */
export interface ProofOfWork {
  verify(payload: string): Promise<boolean>;
}

export const PROOF_OF_WORK = Symbol('callback.proofOfWork');
