/**
 * A test list in the packages' form; "quoted" and 'quoted' strings, comments.
 */
export const hedges = [
  'allegedly', // a comment
  "it seems",
  /* another */ 'perhaps'
]
