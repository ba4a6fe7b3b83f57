// npm's prepack/postpack hooks (package.json): what goes into `npm pack`'s tarball, which both users
// (`npm install -g kanaria-x.y.z.tgz`) and the container build (build.sh) install.
//
// Before packing (npm then runs `prepare`, which builds):
// - dist/ is deleted, so the tarball never carries output of sources that were moved or deleted since
//   the last build (tsc only adds and overwrites);
// - package-lock.json is copied to npm-shrinkwrap.json, which npm honours when installing a package
//   (a package-lock.json it ignores): the tarball installs exactly the dependency tree the tests ran
//   on, and can install offline from a cache that `npm ci` filled.
// After packing (`--after`) the copy is removed, so the checkout keeps a single lockfile.
import { copyFileSync, rmSync } from "node:fs";

if (process.argv.includes("--after")) {
  rmSync("npm-shrinkwrap.json", { force: true });
} else {
  rmSync("dist", { recursive: true, force: true });
  copyFileSync("package-lock.json", "npm-shrinkwrap.json");
}
