/**
 * The proof of work a busy address must solve (the Livechat's ALTCHA challenge). The seam: a module that has one
 * provides PROOF_OF_WORK (lc-widget's LivechatChallenge fits as
 * `{ provide: PROOF_OF_WORK, useFactory: (c) => ({ verify: async (id, p) => (await c.check(id, p)).ok }), inject: [LivechatChallenge] }`);
 * without it, an address over the threshold is refused until its day is over.
 */
export interface ProofOfWork {
  verify(companyId: number, payload: string): Promise<boolean>;
}

export const PROOF_OF_WORK = Symbol('callback.proofOfWork');
