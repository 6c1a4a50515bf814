"""Every number the paper and the base trackers' references state, in one place, with its source.

Config defaults (:mod:`tf_lu.config`) read these; nothing else should hard-code them.
Sources: [P] the paper (B. Li et al., "Learning to Update for Object Tracking with Recurrent Meta-learner", IEEE TIP
2019), by section and table; [S] SiamFC reference implementations (Bertinetto et al. 2016 and public ports); [C] the
CFNet reference (Valmadre et al. 2017).
"""

# --- SiamFC network and geometry [S] ---
SIAMFC_CHANNELS = (96, 256, 384, 384, 256)   # modified AlexNet conv1..conv5 [S]
SIAMFC_EXEMPLAR_SIZE = 127                   # exemplar crop side [S]
SIAMFC_INSTANCE_SIZE = 255                   # search crop side at tracking time [S]
SIAMFC_TRAIN_INSTANCE_SIZE = 239             # search crop side in training with random crop [S]
SIAMFC_TOTAL_STRIDE = 8                      # [S]
SIAMFC_RESPONSE_GAIN = 1e-3                  # response adjust: scale 1e-3 plus a learned bias [S]
SIAMFC_CONTEXT = 0.5                         # context margin 0.5 * (w + h) [S]

# --- SiamFC-3s tracking [S] ---
SIAMFC_SCALE_NUM = 3
SIAMFC_SCALE_STEP = 1.0375
SIAMFC_SCALE_PENALTY = 0.9745
SIAMFC_SCALE_LR = 0.59
SIAMFC_WINDOW_INFLUENCE = 0.176
SIAMFC_RESPONSE_UP = 16

# --- SiamFC-5s tracking [S] ---
SIAMFC5_SCALE_STEP = 1.0255
SIAMFC5_SCALE_PENALTY = 0.962
SIAMFC5_SCALE_LR = 0.34
SIAMFC5_WINDOW_INFLUENCE = 0.168

# --- SiamFC training [S] ---
SIAMFC_POSITIVE_RADIUS = 16                  # pixels in the search crop (2 cells at stride 8)
SIAMFC_MAX_FRAME_GAP = 100                   # pairs at most 100 frames apart
SIAMFC_LR_START = 1e-2                       # SGD, exponential decay 1e-2 -> 1e-5 over 50 epochs
SIAMFC_LR_END = 1e-5
SIAMFC_WEIGHT_DECAY = 5e-4
SIAMFC_BATCH = 8
SIAMFC_EPOCHS = 50
SIAMFC_PAIRS_PER_EPOCH = 53_200

# --- Update baselines [P, Sec. V-A] ---
EMA_ALPHA_SEARCH = (0.01, 0.20, 0.01)        # EMA alpha searched from 0.01 to 0.2 in steps of 0.01
SGD_ONLINE_SET = 1000                        # MDNet-style SGD baseline: online set size
SGD_BATCH = 8
SGD_LR = 10.0
SGD_LONG_TERM_EVERY = 10                     # frames
SGD_LONG_TERM_ITERS = 500
SGD_SHORT_TERM_ITERS = 200

# --- Learned updater [P, Sec. IV] ---
UPDATER_LAYERS = 2
UPDATER_HIDDEN_SIAMFC = 192
UPDATER_HIDDEN_CFNET = 64
UPDATER_KERNEL = 3
UPDATER_LAMBDA = 0.2                         # anchor weight; 0 is worse than no update
UPDATER_UNROLL = 25                          # truncated-BPTT length H (50 = "large")
UPDATER_MAX_SEQUENCE = 150                   # sampled frames per training sequence
UPDATER_MAX_FRAME_INTERVAL = 2
UPDATER_LR = 1e-4                            # Adam, fixed
UPDATER_WEIGHT_DECAY = 5e-4
UPDATER_BATCH = 8
UPDATER_EPOCHS = 60
UPDATER_SEQUENCES_PER_EPOCH = 8309

# --- CFNet [C]: networks, CF layer, training (cfnet src/training/run_experiment_cfnet_*.m, make_net.m) ---
CFNET_LAMBDA = 10.0                          # CF ridge-regression regulariser (opts.join.conf.lambda)
CFNET_SIGMA_PIXELS = 8.0                     # Gaussian CF target, sigma 8 px / total stride (opts.join.conf.sigma)
CFNET_TOTAL_STRIDE = 4
CFNET_RESPONSE_SIZE = 33                     # 33 x 33 score map
CFNET_RESPONSE_UP = 8                        # response upsampled x8
CFNET_EXEMPLAR_SIZE = 255                    # the reference solves the CF on 255 x 255 exemplar crops ...
CFNET_CROP_MARGIN = 16                       # ... and crops 16 feature cells off each side of the filter
CFNET_POSITIVE_RADIUS = 8                    # pixels (opts.loss.rPos; 2 cells at stride 4)
CFNET_OUT_CHANNELS = 32                      # channels of every CFNet variant's last layer
CFNET_CHANNELS = {                           # conv1..convN output channels per variant (branch.conf.num_out)
    "conv1": (32,),
    "conv2": (96, 32),
    "conv3": (96, 256, 32),                  # the 3-layer extractor the learning-to-update paper uses [P, Sec. V-A]
    "conv5": (96, 256, 384, 384, 32),
}
CFNET_ADJUST_GAIN = 1.0                      # learned scalar gain and bias after the correlation, initial values
CFNET_ADJUST_BIAS = -0.5
# --- CFNet-conv3 tracking [C] (run_cfnet3_evaluation.m) ---
CFNET_SCALE_STEP = 1.034
CFNET_SCALE_PENALTY = 0.982
CFNET_SCALE_LR = 0.66
CFNET_WINDOW_INFLUENCE = 0.27
CFNET_TEMPLATE_EMA = 0.008
