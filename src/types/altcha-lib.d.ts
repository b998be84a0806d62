// altcha-lib publishes its entry points only through package.json "exports", which this project's "node"
// module resolution does not read; Node's require does. The types are taken from the files those entries name.
declare module 'altcha-lib' {
  export * from 'altcha-lib/dist/cjs/v2/index';
}
declare module 'altcha-lib/algorithms/sha' {
  export * from 'altcha-lib/dist/cjs/v2/algorithms/sha';
}
