// The demo's sample content model (categories and articles that reference them), shared by the cross-package tests.
export {
  Article,
  Category,
  CreateContentModel1700000000001,
  sampleContentModel as contentModel,
} from '@syncbus/sample-content-model';
