import type { CodegenConfig } from "@graphql-codegen/cli";

// The dashboard's only GraphQL documents are the repository's `clients/dashboard/*.graphql`,
// typed against the server's SDL: a schema change that breaks one of them fails `npm run build`.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["../clients/dashboard/*.graphql"],
  emitLegacyCommonJSImports: false,
  generates: {
    "src/api/generated.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        documentMode: "string",
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        nonOptionalTypename: false,
        skipTypename: true,
        strictScalars: true,
        scalars: {
          Decimal: "string",
          DateTime: "string",
          NaiveDate: "string",
          JSON: "unknown",
        },
      },
    },
  },
};

export default config;
