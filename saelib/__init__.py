"""saelib: the sparse autoencoder of "Sparse Autoencoders, Derived and Built".

Every module except this one is generated from a chapter of the book
(``chapters/*.ipynb``); its header names the notebook to edit, and its ``__all__``
lists what it offers. This file is hand-written: it gathers those names, grouped by
part in reading order. ``saelib.validation`` (chapter 1's input checks) and
``saelib.checks`` (appendix A's checkers for your own code) are used as namespaces.

Two conventions meet here, on purpose.

- **Parts I-III follow the notes**, so that the code can be read beside them: data
  matrices are ``(n_features, m_examples)``, one example per column; ``W1`` is
  ``(hidden, visible)`` and ``W2`` is ``(visible, hidden)``; the parameters travel as
  one flat vector ``theta = concatenate([W1.ravel(), W2.ravel(), b1, b2])``, which is
  what L-BFGS needs; sizes are ``visible_size`` and ``hidden_size``, weight decay is
  ``lambda_``.
- **Part IV on follows scikit-learn and today's SAE libraries** (SAELens, OpenAI's
  ``sparse_autoencoder``): data are ``(n_samples, n_features)``, one example per row;
  parameters are a dict ``{"W_enc", "b_enc", "W_dec", "b_dec"}`` updated by Adam;
  sizes are ``n_latents``, the penalty is ``l1_coeff`` or ``k``.

The estimators bridge the two: every one of them, from chapter 7's
``SparseAutoencoder`` on, takes ``X`` as ``(n_samples, n_features)``.
"""

# The import blocks follow the book's reading order, not the alphabet (ruff's I001
# is off for this file); tests/test_architecture.py checks the order and the lists.
from saelib import checks, validation

# Part I (chapters 1-4): the network, backpropagation, gradient checks, optimizers.
from saelib.network import (
    sigmoid,
    sigmoid_prime,
    tanh_prime,
    sigmoid_of_negated_inplace,
    sigmoid_inplace,
    initialize_parameters,
    pack_parameters,
    unpack_parameters,
    forward_propagation,
)
from saelib.backprop import autoencoder_cost
from saelib.gradient_check import (
    compute_numerical_gradient,
    relative_difference,
    GradientCheck,
    check_gradient,
)
from saelib.optimize import TrainResult, gradient_descent, blas_limit, minimize_lbfgs

# Part II (chapters 5-7): sparsity, natural images, training, the estimator.
from saelib.sparse_autoencoder import (
    kl_divergence,
    RHO_HAT_EPS,
    kl_penalty,
    sparse_autoencoder_cost,
)
from saelib.images import (
    PHOTOGRAPHS,
    downsample,
    load_photographs,
    whiten_image,
    radial_power_spectrum,
    sample_patches,
    normalize_patches,
)
from saelib.visualize import display_network
from saelib.filter_metrics import localization, orientation_selectivity
from saelib.base import AutoencoderEstimator
from saelib.estimator import chapter5_objective, register_objective, SparseAutoencoder

# Part III (chapters 9-14): MNIST, PCA, softmax, stacks, linear decoders.
from saelib.mnist import load_mnist
from saelib.whitening import (
    remove_patch_mean,
    PCAResult,
    pca,
    n_components_for_variance,
    Whitening,
    pca_whiten,
    zca_whiten,
)
from saelib.softmax import (
    log_softmax,
    softmax_probabilities,
    softmax_cost,
    SoftmaxModel,
    softmax_train,
    softmax_predict,
)
from saelib.features import feedforward_autoencoder
from saelib.stacked import (
    Layer,
    NetConfig,
    stack_to_params,
    params_to_stack,
    pack_stacked,
    unpack_stacked,
    stack_forward,
    stacked_ae_cost,
    stacked_ae_train,
    stacked_ae_predict,
)
from saelib.linear_decoder import (
    COLOR_PHOTOGRAPHS,
    OPPONENT_BASIS,
    load_color_photographs,
    sample_color_patches,
    sparse_autoencoder_linear_cost,
    display_color_network,
    color_energy_fractions,
)

# Part IV (chapters 15-17): ReLU/L1 and TopK, Adam, metrics, superposition.
from saelib.sae_params import PARAM_NAMES, flatten_params, unflatten_params
from saelib.sae_losses import (
    pre_activations,
    relu_sae_loss_unchecked,
    relu_sae_loss,
    normalize_columns,
    remove_parallel_component,
    topk_codes,
    topk_sae_loss_unchecked,
    topk_sae_loss,
    auxk_loss_unchecked,
    auxk_loss,
)
from saelib.adam import Adam
from saelib.sae_training import ModernSparseAutoencoder
from saelib.sae_estimators import ReLUSparseAutoencoder, TopKSparseAutoencoder
from saelib.sae_metrics import (
    l0,
    firing_rates,
    dead_fraction,
    log10_firing_rates,
    fraction_variance_unexplained,
)
from saelib.edge_metrics import edge_thresholds, is_edge_like
from saelib.superposition import (
    make_superposition_data,
    cosine_similarity_matrix,
    max_cosine_similarities,
    mmcs,
)
from saelib.dictionary_compare import mean_l0, keep_largest

# Part V (chapters 18-22): networks trained in the book, looked at through SAEs.
from saelib.interpret import (
    mlp_init,
    mlp_hidden,
    mlp_head,
    mlp_loss,
    mlp_train,
    cross_entropy,
    output_kl,
    evaluate_logits,
    splice,
    loss_recovered,
    logit_effects,
    ablate_latents,
    steer,
    latent_auroc,
    top_activating,
    feature_dashboard,
    best_units,
    probe_scores,
)
from saelib.toy_models import (
    sparse_features,
    tms_loss_unchecked,
    tms_hidden,
    tms_forward,
    tms_loss,
    tms_train,
    feature_dimensionality,
)
from saelib.sae_variants import (
    gated_forward,
    gated_sae_loss,
    rectangle,
    jumprelu,
    jumprelu_sae_loss,
    batch_topk_codes,
    batch_topk_sae_loss,
    matryoshka_sae_loss,
    GatedSparseAutoencoder,
    JumpReLUSparseAutoencoder,
    BatchTopKSparseAutoencoder,
    MatryoshkaSparseAutoencoder,
)
from saelib.hierarchy import (
    make_hierarchical_data,
    absorption_rate,
    make_correlated_pairs,
    merged_fraction,
)
from saelib.source_text import (
    TRAIN_MODULES,
    HELDOUT_MODULES,
    read_stdlib,
    VOCABULARY,
    OTHER,
    VOCAB_SIZE,
    encode_text,
    decode_text,
    CONCEPTS,
    LABEL_NAMES,
    source_labels,
)
from saelib.char_rnn import (
    GRU_PARAM_KEYS,
    gru_forward_unchecked,
    gru_init,
    gru_backward_unchecked,
    gru_loss,
    ngram_bits_per_char,
    LM_SETTINGS,
    clip_by_global_norm,
    bits_per_char,
    hidden_states,
    train_language_model,
    gru_sample,
)
from saelib.lm_interpret import (
    spliced_bits_per_char,
    CONCEPT_NAMES,
    concept_flags,
    strong_firings,
    label_latents,
    TextDashboard,
    text_dashboard,
    steered_sample,
)

# Appendix B: the fast objective, registered with chapter 7's estimator.
from saelib.fast import SparseAutoencoderObjective, sparse_autoencoder_cost_fast

__version__ = "0.1.0"

__all__ = [
    # namespaces
    "checks",
    "validation",
    # Part I, neural networks
    "sigmoid",
    "sigmoid_prime",
    "tanh_prime",
    "sigmoid_of_negated_inplace",
    "sigmoid_inplace",
    "initialize_parameters",
    "pack_parameters",
    "unpack_parameters",
    "forward_propagation",
    "autoencoder_cost",
    "compute_numerical_gradient",
    "relative_difference",
    "GradientCheck",
    "check_gradient",
    "TrainResult",
    "gradient_descent",
    "blas_limit",
    "minimize_lbfgs",
    # Part II, the sparse autoencoder
    "kl_divergence",
    "RHO_HAT_EPS",
    "kl_penalty",
    "sparse_autoencoder_cost",
    "PHOTOGRAPHS",
    "downsample",
    "load_photographs",
    "whiten_image",
    "radial_power_spectrum",
    "sample_patches",
    "normalize_patches",
    "display_network",
    "localization",
    "orientation_selectivity",
    "AutoencoderEstimator",
    "chapter5_objective",
    "register_objective",
    "SparseAutoencoder",
    # Part III, the UFLDL follow-ons
    "load_mnist",
    "remove_patch_mean",
    "PCAResult",
    "pca",
    "n_components_for_variance",
    "Whitening",
    "pca_whiten",
    "zca_whiten",
    "log_softmax",
    "softmax_probabilities",
    "softmax_cost",
    "SoftmaxModel",
    "softmax_train",
    "softmax_predict",
    "feedforward_autoencoder",
    "Layer",
    "NetConfig",
    "stack_to_params",
    "params_to_stack",
    "pack_stacked",
    "unpack_stacked",
    "stack_forward",
    "stacked_ae_cost",
    "stacked_ae_train",
    "stacked_ae_predict",
    "COLOR_PHOTOGRAPHS",
    "OPPONENT_BASIS",
    "load_color_photographs",
    "sample_color_patches",
    "sparse_autoencoder_linear_cost",
    "display_color_network",
    "color_energy_fractions",
    # Part IV, SAEs today
    "PARAM_NAMES",
    "flatten_params",
    "unflatten_params",
    "pre_activations",
    "relu_sae_loss_unchecked",
    "relu_sae_loss",
    "normalize_columns",
    "remove_parallel_component",
    "topk_codes",
    "topk_sae_loss_unchecked",
    "topk_sae_loss",
    "auxk_loss_unchecked",
    "auxk_loss",
    "Adam",
    "ModernSparseAutoencoder",
    "ReLUSparseAutoencoder",
    "TopKSparseAutoencoder",
    "l0",
    "firing_rates",
    "dead_fraction",
    "log10_firing_rates",
    "fraction_variance_unexplained",
    "edge_thresholds",
    "is_edge_like",
    "make_superposition_data",
    "cosine_similarity_matrix",
    "max_cosine_similarities",
    "mmcs",
    "mean_l0",
    "keep_largest",
    # Part V, looking inside networks
    "mlp_init",
    "mlp_hidden",
    "mlp_head",
    "mlp_loss",
    "mlp_train",
    "cross_entropy",
    "output_kl",
    "evaluate_logits",
    "splice",
    "loss_recovered",
    "logit_effects",
    "ablate_latents",
    "steer",
    "latent_auroc",
    "top_activating",
    "feature_dashboard",
    "best_units",
    "probe_scores",
    "sparse_features",
    "tms_loss_unchecked",
    "tms_hidden",
    "tms_forward",
    "tms_loss",
    "tms_train",
    "feature_dimensionality",
    "gated_forward",
    "gated_sae_loss",
    "rectangle",
    "jumprelu",
    "jumprelu_sae_loss",
    "batch_topk_codes",
    "batch_topk_sae_loss",
    "matryoshka_sae_loss",
    "GatedSparseAutoencoder",
    "JumpReLUSparseAutoencoder",
    "BatchTopKSparseAutoencoder",
    "MatryoshkaSparseAutoencoder",
    "make_hierarchical_data",
    "absorption_rate",
    "make_correlated_pairs",
    "merged_fraction",
    "TRAIN_MODULES",
    "HELDOUT_MODULES",
    "read_stdlib",
    "VOCABULARY",
    "OTHER",
    "VOCAB_SIZE",
    "encode_text",
    "decode_text",
    "CONCEPTS",
    "LABEL_NAMES",
    "source_labels",
    "GRU_PARAM_KEYS",
    "gru_forward_unchecked",
    "gru_init",
    "gru_backward_unchecked",
    "gru_loss",
    "ngram_bits_per_char",
    "LM_SETTINGS",
    "clip_by_global_norm",
    "bits_per_char",
    "hidden_states",
    "train_language_model",
    "gru_sample",
    "spliced_bits_per_char",
    "CONCEPT_NAMES",
    "concept_flags",
    "strong_firings",
    "label_latents",
    "TextDashboard",
    "text_dashboard",
    "steered_sample",
    # Appendix B, making it fast
    "SparseAutoencoderObjective",
    "sparse_autoencoder_cost_fast",
]
