"""Training and search. May import Keras at module level; nothing above the core imports this
package at start-up."""
