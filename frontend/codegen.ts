import type { CodegenConfig } from '@graphql-codegen/cli';

// Types come from the server's schema files; no running server is needed.
const config: CodegenConfig = {
  schema: '../graph/schema/*.graphqls',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    // Every schema type (inputs, enums, objects), for code that builds inputs.
    './src/gql/schema.ts': {
      plugins: ['typescript'],
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { Time: 'string', Upload: 'File', ID: 'string' },
      },
    },
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
        scalars: { Time: 'string', Upload: 'File', ID: 'string' },
      },
    },
  },
  silent: true,
};

export default config;
