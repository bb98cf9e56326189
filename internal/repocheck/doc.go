// Package repocheck holds no code, only tests that the repository stands
// alone. Frontline began from a brief kept in a folder beside the
// repository; a user who clones it has nothing beside it, so no file may
// read or name that folder, and every relative link in the Markdown
// documentation must lead to a file inside the repository. The tests walk
// the working tree from the module root, so they also catch a file that is
// not committed yet.
package repocheck
