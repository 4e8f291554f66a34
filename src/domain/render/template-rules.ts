import Handlebars from "handlebars";

// The Handlebars a manifest template may use. Templates come from pull requests, so only what a manifest needs is
// allowed: values ({{sha}}, {{@root.sha}}), {{#if}}/{{#unless}}, and {{#each}}/{{#with}} at most two deep. Partials,
// decorators, `lookup`, `log`, other helpers and prototype names ({{constructor}}, __proto__) are refused with the
// reason, before anything runs. The worker's time and size budget (render-pool.ts) covers what slips past this.

type Node = hbs.AST.Node;

const BLOCK_HELPERS = new Set(["if", "unless", "each", "with"]);
const MAX_LOOP_DEPTH = 2;
/** Names that reach Object.prototype or Function.prototype instead of a value. */
const PROTOTYPE_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype), "prototype"]);

/** The first reason this template may not be rendered, or undefined when it only uses what manifests need. */
export function templateProblem(source: string): string | undefined {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    return `invalid template (${(err as Error).message.split("\n")[0]})`;
  }
  return checkProgram(ast, 0);
}

function checkProgram(program: hbs.AST.Program | undefined, loops: number): string | undefined {
  for (const node of program?.body ?? []) {
    const problem = checkNode(node, loops);
    if (problem) return problem;
  }
  return undefined;
}

function checkNode(node: Node, loops: number): string | undefined {
  switch (node.type) {
    case "ContentStatement":
    case "CommentStatement":
      return undefined;
    case "MustacheStatement": {
      const m = node as hbs.AST.MustacheStatement;
      if (m.params.length > 0 || (m.hash?.pairs.length ?? 0) > 0) return `${where(m)}: helpers are not available in manifest templates (${describePath(m.path)})`;
      return checkPath(m.path, m);
    }
    case "BlockStatement": {
      const b = node as hbs.AST.BlockStatement;
      const name = b.path.type === "PathExpression" ? (b.path as hbs.AST.PathExpression).original : "";
      if (!BLOCK_HELPERS.has(name)) return `${where(b)}: only #if, #unless, #each and #with blocks are available (not ${describePath(b.path)})`;
      if (b.params.length !== 1 || (b.hash?.pairs.length ?? 0) > 0) return `${where(b)}: #${name} takes exactly one value`;
      const param = b.params[0]!;
      if (param.type !== "PathExpression") return `${where(b)}: #${name} takes a value, not ${param.type}`;
      const problem = checkPath(param, b);
      if (problem) return problem;
      const loop = name === "each" || name === "with" ? 1 : 0;
      if (loops + loop > MAX_LOOP_DEPTH) return `${where(b)}: #each/#with nested more than ${MAX_LOOP_DEPTH} deep (each level multiplies the work)`;
      return checkProgram(b.program, loops + loop) ?? checkProgram(b.inverse, loops + loop);
    }
    case "PartialStatement":
    case "PartialBlockStatement":
      return `${where(node)}: partials ({{> …}}) are not available in manifest templates`;
    case "Decorator":
    case "DecoratorBlock":
      return `${where(node)}: decorators ({{* …}}) are not available in manifest templates`;
    default:
      return `${where(node)}: ${node.type} is not available in manifest templates`;
  }
}

function checkPath(path: hbs.AST.Expression, node: Node): string | undefined {
  if (path.type !== "PathExpression") return `${where(node)}: only values may be used, not ${path.type}`;
  const p = path as hbs.AST.PathExpression;
  const bad = p.parts.find((part) => PROTOTYPE_NAMES.has(part));
  if (bad !== undefined) return `${where(node)}: "${bad}" is not a value (prototype names are refused)`;
  if (p.parts.length === 0 || p.data) return undefined;
  if (p.parts[0] === "lookup" || p.parts[0] === "log") return `${where(node)}: the ${p.parts[0]} helper is not available in manifest templates`;
  return undefined;
}

function describePath(path: hbs.AST.Expression): string {
  return path.type === "PathExpression" ? (path as hbs.AST.PathExpression).original : path.type;
}

function where(node: Node): string {
  return node.loc ? `line ${node.loc.start.line}` : "template";
}
