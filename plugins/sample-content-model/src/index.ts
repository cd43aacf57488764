// Public API of @syncbus/sample-content-model: an example model package. Listed in a node's `plugins`, it gives a
// node started by `syncbus start` the demo's categories and articles to store, stage and apply.
import { Module, RegisterModule } from '@syncbus/core';
import { sampleContentModel } from './content-model';

export { Article, Category, CreateContentModel1700000000001, sampleContentModel } from './content-model';

/** Registers the sample model's entities and migrations with the node that loads this package. */
@RegisterModule(sampleContentModel)
export class SampleContentModelModule extends Module {
  constructor() {
    super('SampleContentModel');
  }
}

export default SampleContentModelModule;
