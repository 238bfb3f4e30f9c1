// A module resolution hook (node:module register) that asks every package for its
// "waymark-dist" export first: the compiled dist/ of the workspace packages rather than src/.
export async function resolve(specifier, context, nextResolve) {
  return nextResolve(specifier, { ...context, conditions: ['waymark-dist', ...context.conditions] });
}
