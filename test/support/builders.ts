export * from '../helpers/inventory.js';
