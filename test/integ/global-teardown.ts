export { default } from '../../lib/testing/jest-teardown';
