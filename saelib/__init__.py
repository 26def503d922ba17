"""saelib: the sparse autoencoder of "Sparse Autoencoders, Derived and Built".

Every module except this one is generated from a chapter of the book
(``chapters/*.ipynb``); its header names the notebook to edit. This file is
hand-written and only lists the public API.

Conventions (chapter 1): data matrices are ``(n_features, m_examples)``, one example
per column; ``W1`` is ``(hidden, visible)``, ``W2`` is ``(visible, hidden)``; the flat
parameter vector is ``theta = concatenate([W1.ravel(), W2.ravel(), b1, b2])``.
"""

from saelib.adam import Adam
from saelib.backprop import autoencoder_cost
from saelib.dictionary_compare import keep_largest, mean_l0
from saelib.edge_metrics import edge_thresholds, is_edge_like
from saelib.estimator import SparseAutoencoder
from saelib.fast import SparseAutoencoderObjective, sparse_autoencoder_cost_fast
from saelib.features import feedforward_autoencoder
from saelib.filter_metrics import localization, orientation_selectivity
from saelib.gradient_check import (
    GradientCheck,
    check_gradient,
    compute_numerical_gradient,
    relative_difference,
)
from saelib.images import (
    PHOTOGRAPHS,
    downsample,
    load_photographs,
    normalize_patches,
    radial_power_spectrum,
    sample_patches,
    whiten_image,
)
from saelib.interpret import (
    ablate_latents,
    cross_entropy,
    evaluate_logits,
    feature_dashboard,
    latent_auroc,
    logit_effects,
    loss_recovered,
    mlp_head,
    mlp_hidden,
    mlp_init,
    mlp_loss,
    mlp_train,
    output_kl,
    splice,
    steer,
    top_activating,
)
from saelib.linear_decoder import (
    COLOR_PHOTOGRAPHS,
    OPPONENT_BASIS,
    color_energy_fractions,
    display_color_network,
    load_color_photographs,
    sample_color_patches,
    sparse_autoencoder_linear_cost,
)
from saelib.mnist import load_mnist
from saelib.network import (
    forward_propagation,
    initialize_parameters,
    pack_parameters,
    sigmoid,
    sigmoid_prime,
    tanh_prime,
    unpack_parameters,
)
from saelib.optimize import TrainResult, gradient_descent, minimize_lbfgs
from saelib.sae_estimators import ReLUSparseAutoencoder, TopKSparseAutoencoder
from saelib.sae_losses import (
    auxk_loss,
    normalize_columns,
    relu_sae_loss,
    remove_parallel_component,
    topk_sae_loss,
)
from saelib.sae_metrics import (
    dead_fraction,
    firing_rates,
    fraction_variance_unexplained,
    l0,
    log10_firing_rates,
)
from saelib.softmax import (
    SoftmaxModel,
    log_softmax,
    softmax_cost,
    softmax_predict,
    softmax_probabilities,
    softmax_train,
)
from saelib.sparse_autoencoder import kl_divergence, sparse_autoencoder_cost
from saelib.stacked import (
    NetConfig,
    params_to_stack,
    stack_to_params,
    stacked_ae_cost,
    stacked_ae_predict,
    stacked_ae_train,
)
from saelib.superposition import (
    cosine_similarity_matrix,
    make_superposition_data,
    max_cosine_similarities,
    mmcs,
)
from saelib.visualize import display_network
from saelib.whitening import (
    PCAResult,
    Whitening,
    n_components_for_variance,
    pca,
    pca_whiten,
    remove_patch_mean,
    zca_whiten,
)

__version__ = "0.1.0"

__all__ = [
    "PHOTOGRAPHS",
    "SparseAutoencoder",
    "SparseAutoencoderObjective",
    "GradientCheck",
    "TrainResult",
    "check_gradient",
    "display_network",
    "downsample",
    "compute_numerical_gradient",
    "radial_power_spectrum",
    "relative_difference",
    "sample_patches",
    "autoencoder_cost",
    "forward_propagation",
    "gradient_descent",
    "initialize_parameters",
    "kl_divergence",
    "load_photographs",
    "localization",
    "minimize_lbfgs",
    "normalize_patches",
    "orientation_selectivity",
    "pack_parameters",
    "sigmoid",
    "sigmoid_prime",
    "sparse_autoencoder_cost",
    "sparse_autoencoder_cost_fast",
    "tanh_prime",
    "unpack_parameters",
    "whiten_image",
    # Part III
    "load_mnist",
    "SoftmaxModel",
    "log_softmax",
    "softmax_cost",
    "softmax_predict",
    "softmax_probabilities",
    "softmax_train",
    "PCAResult",
    "Whitening",
    "n_components_for_variance",
    "pca",
    "pca_whiten",
    "remove_patch_mean",
    "zca_whiten",
    "feedforward_autoencoder",
    "NetConfig",
    "params_to_stack",
    "stack_to_params",
    "stacked_ae_cost",
    "stacked_ae_predict",
    "stacked_ae_train",
    "COLOR_PHOTOGRAPHS",
    "OPPONENT_BASIS",
    "color_energy_fractions",
    "display_color_network",
    "load_color_photographs",
    "sample_color_patches",
    "sparse_autoencoder_linear_cost",
    # Part IV
    "Adam",
    "ReLUSparseAutoencoder",
    "TopKSparseAutoencoder",
    "auxk_loss",
    "normalize_columns",
    "relu_sae_loss",
    "remove_parallel_component",
    "topk_sae_loss",
    "dead_fraction",
    "firing_rates",
    "fraction_variance_unexplained",
    "l0",
    "log10_firing_rates",
    "cosine_similarity_matrix",
    "make_superposition_data",
    "max_cosine_similarities",
    "mmcs",
    "edge_thresholds",
    "is_edge_like",
    "keep_largest",
    "mean_l0",
    # Part V
    "ablate_latents",
    "cross_entropy",
    "evaluate_logits",
    "feature_dashboard",
    "latent_auroc",
    "logit_effects",
    "loss_recovered",
    "mlp_head",
    "mlp_hidden",
    "mlp_init",
    "mlp_loss",
    "mlp_train",
    "output_kl",
    "splice",
    "steer",
    "top_activating",
]
