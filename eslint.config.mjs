import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noDefaultExport = {
  selector: 'ExportDefaultDeclaration',
  message: 'Use named exports (CONTRIBUTING.md, code style).',
};

// What the route kit (packages/platform/src/route-kit.ts, upload.ts) already provides is not written again in a service:
// the problem schema reference (problemResponses), the Idempotency-Key header schema (IdempotencyKeyHeaders), and the
// reading of multipart uploads (readUpload). The signature validation route and the hub sandbox read other multipart
// shapes and are the exceptions, named below.
const routeKitSelectors = [
  {
    selector: "Property[key.name='$ref'][value.value='Problem#']",
    message: "Use problemResponses(…) from the route kit instead of a local { $ref: 'Problem#' }.",
  },
  {
    selector: "CallExpression[callee.object.name='Type'] > ObjectExpression > Property[key.value='idempotency-key']",
    message: 'Use IdempotencyKeyHeaders from the route kit instead of declaring the Idempotency-Key header again.',
  },
];
const sqlOutsideRepositories = {
  selector: "CallExpression[callee.property.name='query']",
  message: 'SQL lives in repositories/: call a repository function with the transaction handle.',
};
const noHandParsedUploads = {
  selector: "CallExpression[callee.property.name='parts']",
  message: 'Read multipart uploads with readUpload (route kit) instead of request.parts().',
};

// ---- Layer rules of services/documents (issue 9) -------------------------------------------------------------
// routes/ (schema + one call) → use cases in the aggregate folders → repositories/ (all SQL) → rules/ (pure rules
// both layers need). Kept in one block so they can be generalised to every service.
const documentsSrc = 'services/documents/src';
const documentsDomainFolders = ['documents', 'registers', 'dossiers', 'copies', 'organisations', 'adapters'];
const documentsLayerRules = [
  {
    files: [`${documentsSrc}/**/*.ts`],
    ignores: [`${documentsSrc}/repositories/**`],
    rules: {
      'no-restricted-syntax': [
        'error',
        noDefaultExport,
        sqlOutsideRepositories,
        ...routeKitSelectors,
        noHandParsedUploads,
      ],
    },
  },
  {
    files: [`${documentsSrc}/repositories/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...documentsDomainFolders, 'routes', 'rendering', 'context', 'app'].flatMap((folder) => [
                `../${folder}`,
                `../${folder}/*`,
              ]),
              message: 'Repositories import no domain module: move what both layers need into rules/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`${documentsSrc}/routes/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../repositories', '../repositories/*'],
              message: 'Routes call one use case; the use case calls the repositories.',
            },
          ],
        },
      ],
    },
  },
];
// ---- end of the documents layer rules ----------------------------------------------------------------------

// ---- Layer rules of every service (issue 9) ------------------------------------------------------------------
// routes/ (schema + one call) → use cases → repositories/ (all SQL). Repositories may import other repositories,
// schemas/ and rules/ (and the types of the domain's value objects); routes never import a repository; no service
// imports another service (they talk through HTTP and events; shared code lives in packages/). documents adds its
// own, stricter block above for its aggregate folders.
const serviceSrc = 'services/*/src';
const otherServices = ['documents', 'signing', 'routing', 'reporting', 'exchange'];
const serviceLayerRules = [
  {
    files: [`${serviceSrc}/**/*.ts`],
    ignores: [`${serviceSrc}/repositories/**`, `${documentsSrc}/**`],
    rules: {
      'no-restricted-syntax': [
        'error',
        noDefaultExport,
        sqlOutsideRepositories,
        ...routeKitSelectors,
        noHandParsedUploads,
      ],
    },
  },
  {
    // POST /v1/validations takes a file and up to three text fields (trustAnchors, validationTime, revocation); the
    // hub sandbox speaks the hubs' own multipart (LGSP sendEdoc), not ours.
    files: ['services/signing/src/routes/validation-routes.ts', 'services/exchange/src/hub-sandbox/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', noDefaultExport, sqlOutsideRepositories, ...routeKitSelectors],
    },
  },
  {
    files: [`${serviceSrc}/repositories/**/*.ts`],
    ignores: [`${documentsSrc}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../schemas', '!../schemas/*', '!../rules', '!../rules/*'],
              allowTypeImports: true,
              message: 'Repositories import no domain module: move what both layers need into rules/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`${serviceSrc}/routes/**/*.ts`],
    ignores: [`${documentsSrc}/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../repositories', '../repositories/*', '../**/repositories/*'],
              message: 'Routes call one use case; the use case calls the repositories.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [`${serviceSrc}/**/*.ts`, 'gateway/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: otherServices.flatMap((name) => [`@vanthu/${name}`, `**/${name}/src`, `**/${name}/src/**`]),
              message: 'Services never import each other: call its API or consume its events; share through packages/.',
            },
          ],
        },
      ],
    },
  },
];
// ---- end of the service layer rules --------------------------------------------------------------------------

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.data/**',
      'coverage/**',
      'jest.config.js',
      // generated by openapi-typescript from docs/openapi.json (npm run docs)
      'packages/client/src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports' },
      ],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noDefaultExport],
    },
  },
  {
    // Services and shared packages log through pino, never the console (CONTRIBUTING.md, code style).
    files: ['services/*/src/**/*.ts', 'gateway/src/**/*.ts', 'packages/*/src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Module augmentation of fastify's own interfaces is the one place `interface` is required.
    files: ['**/http.ts', '**/authenticate.ts'],
    rules: { '@typescript-eslint/consistent-type-definitions': 'off' },
  },
  ...serviceLayerRules,
  ...documentsLayerRules,
);
