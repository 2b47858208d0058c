// What dockerfilelint does not check in deploy/Dockerfile (or, for two rules, gets wrong:
// deploy/.dockerfilelintrc), and what ties the Dockerfile to deploy/compose.yaml:
//  - every image pulled in (FROM that names no earlier stage) has an explicit tag;
//  - HEALTHCHECK options are Docker's (--interval, --timeout, --start-period, --retries) with values;
//  - every COPY source from the build context exists, and .dockerignore (a list of what is let
//    in, after "*") lets it in;
//  - every target deploy/compose.yaml builds is a stage, and every final image (a stage an
//    image is made from: compose's targets) has, itself or through the stages it is built
//    from, a HEALTHCHECK, an EXPOSE, a USER other than root and an ENTRYPOINT.
// Usage: node check-dockerfile.mjs ROOT   Exits 1 on any finding.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const root = process.argv[2];
const dockerfile = "deploy/Dockerfile";
const findings = [];
const find = (line, what) => findings.push(`${dockerfile}:${line}: ${what}`);

// Instructions with continuation lines joined; comments and blank lines dropped.
const instructions = [];
let pending = null;
readFileSync(join(root, dockerfile), "utf8").split("\n").forEach((text, i) => {
  if (pending === null && (/^\s*#/.test(text) || text.trim() === "")) return;
  const continued = text.endsWith("\\");
  const part = continued ? text.slice(0, -1) : text;
  if (pending === null) pending = { line: i + 1, text: part };
  else if (!/^\s*#/.test(text)) pending.text += ` ${part.trim()}`;
  if (!continued) {
    const [, word, args] = pending.text.trim().match(/^(\S+)\s*(.*)$/);
    instructions.push({ line: pending.line, word: word.toUpperCase(), args });
    pending = null;
  }
});

// .dockerignore's "!path" lines let a path in; a later plain line (no glob) keeps one out.
const ignore = readFileSync(join(root, ".dockerignore"), "utf8").split("\n")
  .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
const under = (path, prefix) => {
  const p = prefix.replace(/\/$/, "");
  return path === p || path.startsWith(`${p}/`);
};
const admitted = (path) =>
  ignore.some((l) => l.startsWith("!") && under(path, l.slice(1))) &&
  !ignore.some((l) => !l.startsWith("!") && !/[*?[]/.test(l) && under(path, l));

const stages = new Map();
let stage = null;
for (const ins of instructions) {
  if (ins.word === "FROM") {
    const [image, as, name] = ins.args.split(/\s+/);
    const parent = stages.get(image) ?? null;
    if (!parent && !/^[^@]+:[^/]+$|@sha256:/.test(image)) find(ins.line, `${image} has no tag`);
    stage = { name, parent, has: new Map() };
    if (as?.toUpperCase() === "AS") stages.set(name, stage);
    continue;
  }
  if (!stage) {
    find(ins.line, `${ins.word} before the first FROM`);
    continue;
  }
  stage.has.set(ins.word, ins);
  if (ins.word === "HEALTHCHECK" && ins.args.trim().toUpperCase() !== "NONE") {
    const options = ins.args.slice(0, ins.args.search(/\bCMD\b/)).trim().split(/\s+/).filter(Boolean);
    for (const option of options) {
      if (!/^--(interval|timeout|start-period|retries)=\d+[a-z]*$/.test(option)) find(ins.line, `HEALTHCHECK option ${option}`);
    }
    if (!/\bCMD\b/.test(ins.args)) find(ins.line, "HEALTHCHECK without CMD");
  }
  if (ins.word === "COPY" && !/--from=/.test(ins.args)) {
    const words = ins.args.split(/\s+/).filter((w) => !w.startsWith("--"));
    for (const source of words.slice(0, -1)) {
      if (!existsSync(join(root, source))) find(ins.line, `COPY source ${source} does not exist`);
      else if (!admitted(source)) find(ins.line, `COPY source ${source} is left out by .dockerignore`);
    }
  }
}

const inherited = (s, word) => (s ? s.has.get(word) ?? inherited(s.parent, word) : undefined);
const compose = parse(readFileSync(join(root, "deploy/compose.yaml"), "utf8"), { merge: true });
for (const [service, spec] of Object.entries(compose.services)) {
  const target = spec.build?.target;
  if (!target) continue;
  const s = stages.get(target);
  if (!s) {
    findings.push(`deploy/compose.yaml: ${service} builds target ${target}, which deploy/Dockerfile lacks`);
    continue;
  }
  for (const word of ["HEALTHCHECK", "EXPOSE", "USER", "ENTRYPOINT"]) {
    if (!inherited(s, word)) findings.push(`${dockerfile}: target ${target} has no ${word}`);
  }
  const user = inherited(s, "USER")?.args.split(":")[0];
  if (user === "root" || user === "0") findings.push(`${dockerfile}: target ${target} runs as root`);
}

for (const f of findings) console.error(`dockerfile: ${f}`);
if (findings.length) process.exit(1);
console.log(`dockerfile: ${instructions.length} instructions in ${stages.size} stages checked`);
