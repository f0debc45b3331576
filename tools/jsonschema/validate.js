#!/usr/bin/env node
// Validates JSON or YAML files against a JSON Schema with ajv.
//
//   node validate.js SCHEMA.json FILE.(json|yml|yaml)...
//
// Prints "ok FILE" per valid file and "FILE: <instance path>: <message>" per error; exits 0 when
// every file is valid, 1 when any is invalid or unreadable, 2 on wrong usage or a bad schema.
// Unknown keywords of the schema (markdownDescription, doNotSuggest, ...) are ignored (strict:
// false); union types are allowed; all errors are reported, not just the first.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const YAML = require("yaml");

function usage(message) {
  if (message) console.error(`validate.js: ${message}`);
  console.error("usage: node validate.js SCHEMA.json FILE.(json|yml|yaml)...");
  process.exit(2);
}

function readDocument(file) {
  const text = fs.readFileSync(file, "utf8");
  const ext = path.extname(file).toLowerCase();
  if (ext === ".json") return JSON.parse(text);
  if (ext === ".yml" || ext === ".yaml") {
    const doc = YAML.parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("\n"));
    // An empty YAML file is an empty configuration.
    const value = doc.toJS({ maxAliasCount: 100 });
    return value === null || value === undefined ? {} : value;
  }
  throw new Error(`unknown file type '${ext}' (expected .json, .yml or .yaml)`);
}

function describe(error) {
  const where = error.instancePath === "" ? "(root)" : error.instancePath;
  let detail = error.message;
  if (error.keyword === "additionalProperties") {
    detail += ` '${error.params.additionalProperty}'`;
  } else if (error.keyword === "enum") {
    detail += `: ${JSON.stringify(error.params.allowedValues)}`;
  }
  return `${where}: ${detail}`;
}

function main(argv) {
  if (argv.length < 2) usage("expected a schema and at least one file");
  const [schemaFile, ...files] = argv;
  let validate;
  try {
    const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
    const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
    validate = ajv.compile(schema);
  } catch (e) {
    console.error(`validate.js: cannot load schema ${schemaFile}: ${e.message}`);
    process.exit(2);
  }
  let failed = false;
  for (const file of files) {
    let data;
    try {
      data = readDocument(file);
    } catch (e) {
      console.error(`${file}: cannot read: ${e.message}`);
      failed = true;
      continue;
    }
    if (validate(data)) {
      console.log(`ok ${file}`);
      continue;
    }
    failed = true;
    // oneOf failures repeat each branch's errors; print each distinct message once.
    const seen = new Set();
    for (const error of validate.errors) {
      const line = `${file}: ${describe(error)}`;
      if (!seen.has(line)) {
        seen.add(line);
        console.error(line);
      }
    }
  }
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2));
