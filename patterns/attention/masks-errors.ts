// Why a mask was not recognised: every step of the evaluation throws this, and the rule
// declines with its message.
export class NotAMask extends Error {}
