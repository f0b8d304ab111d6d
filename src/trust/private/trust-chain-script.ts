/**
 * The Python module the trust chain's SSM Automation documents run (aws:executeScript):
 * promotion between channels, revocation, and the ancestry record of child images.
 *
 * Placeholder until the module lands (issue 11): every handler refuses to run.
 */
export const TRUST_CHAIN_SCRIPT: string = String.raw`
def _not_built(events, context):
    raise RuntimeError('the trust chain script is not built yet')

promote = revoke = record_ancestry = _not_built
`;

/** The script's handlers, as aws:executeScript's Handler input names them. */
export const TRUST_CHAIN_HANDLERS = {
  PROMOTE: 'promote',
  REVOKE: 'revoke',
  RECORD_ANCESTRY: 'record_ancestry',
} as const;
