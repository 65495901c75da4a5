"""
understanding Input/output of LSTM, run again
=============================================

The page the suite started from (kept in ``docs/page/``), its code block by block, run by
Sphinx-Gallery on the versions installed at the site's build.  Under each block's output today
comes what the page printed under TensorFlow 2.7 (read from ``docs/page/input_output_lstm.txt``,
its lines laid out again), a note where the two differ and why, and the spec that states the block.

Two differences run through every page: the **random stream** (the page drew its data from NumPy's
unseeded generator before its first ``reset_graph()``, and its weights from TensorFlow 2.7's
initializers; neither is reproducible today, so the numbers differ while the shapes and the
relations between them hold: spec 19), and the **format** of what Keras prints (Keras 3 shows a
``model.inputs`` tensor and a ``model.summary()`` table in its own way; its ``predict()`` shows a
progress bar by default, ``verbose="auto"``, where Keras 2.7's showed none).  TensorFlow's and
Keras' warnings appear in the output, as they would in a notebook.
"""

import numpy as np
import tensorflow as tf
from tensorflow.keras.models import Model
from tensorflow.keras.layers import MaxPooling1D, Flatten, Conv1D
from tensorflow.keras.layers import Input, LSTM, Reshape, TimeDistributed

# to suppress scientific notation while printing arrays
np.set_printoptions(suppress=True)


def reset_graph(seed=313):
    tf.compat.v1.reset_default_graph()
    tf.compat.v1.set_random_seed(seed)
    np.random.seed(seed)


tf.__version__

# %%
# .. page-printed:: 0
#    :spec: 11
#
# The version differs by design: the page ran TensorFlow 2.7 (Keras 2), this build runs the
# locked versions.  ``reset_graph()`` still runs, but no longer fixes the weights (spec 11 says
# which seeding does).

seq_len = 9
in_features = 3
batch_size = 2
units = 5
# define input data
data = np.random.normal(0,1, size=(batch_size, seq_len, in_features))
print('input shape is', data.shape)

# %%
# .. page-printed:: 1
#    :spec: 1

reset_graph()

# %%
# .. page-printed:: 2
#    :spec: 11
#
# Input to LSTM
# -------------

# The input to LSTM is 3D where each dimension is expected to have following meaning
# (batch_size, sequence_length, num_inputs)
# the batch_size determines the number of samples, sequence_legth determines the length
# of historical/temporal data used by LSTM and num_inputs is the number of input features
# define model
inputs1 = Input(shape=(seq_len, in_features))
lstm1 = LSTM(units)(inputs1)
model = Model(inputs=inputs1, outputs=lstm1)
model.inputs

# %%
# .. page-printed:: 3
#    :spec: 1
#
# The page's text kept no trace of the tensor it showed; today Keras 3 shows one ``KerasTensor``
# of shape (None, 9, 3).
#
# Output from LSTM
# ----------------

# In Keras, the output from LSTM is 2D and each dimension has following meaning
# (batch_size, units)
# the units here represents the number of units/neuron of LSTM layer.
# check output
output = model.predict(data)
print('output shape is ', output.shape)
print(output)

# %%
# .. page-printed:: 4
#    :spec: 2
#
# The same shape, other numbers: the random stream (see the top of the page).  The line before
# the output is Keras 3's ``predict()`` progress bar.
#
# Return Sequence
# ---------------
#
# If we use ``return_sequences=True``, we can get hidden state which is also output, at each
# time step instead of just one final output.

reset_graph()
print('input shape is', data.shape)
# define model
inputs1 = Input(shape=(seq_len, in_features))
lstm1 = LSTM(units, return_sequences=True)(inputs1)
model = Model(inputs=inputs1, outputs=lstm1)
# check output
output = model.predict(data)
print('output shape is ', output.shape)
print(output)

# %%
# .. page-printed:: 5
#    :spec: 3
#
# Under TensorFlow 2.7 the page's ``reset_graph()`` gave this model the previous one's weights, so
# its last step equals the output above; today the weights are drawn afresh and it does not.
#
# Return States
# -------------
#
# If we use ``return_state=True``, it will give final hidden state/output plus the cell state as well

reset_graph()
# define model
inputs1 = Input(shape=(seq_len, in_features))
lstm1, state_h, state_c = LSTM(units, return_state=True)(inputs1)
model = Model(inputs=inputs1, outputs=[lstm1, state_h, state_c])
# check output
_h, h, c = model.predict(data)
print('_h: shape {} values \n {}\n'.format(_h.shape, _h))
print('h: shape {} values \n {}\n'.format(h.shape, h))
print('c: shape {} values \n {}'.format(c.shape, c))

# %%
# .. page-printed:: 6
#    :spec: 4
#
# Today as then, ``_h`` (the output) equals ``h`` and ``c`` differs; the numbers are the random
# stream's.
#
# using both at same time
# -----------------------
#
# We can use both ``return_sequences`` and ``return_states`` at same time as well.

reset_graph()
# define model
inputs1 = Input(shape=(seq_len, in_features))
lstm1, state_h, state_c = LSTM(units, return_state=True, return_sequences=True)(inputs1)
model = Model(inputs=inputs1, outputs=[lstm1, state_h, state_c])
# check output
_h, h, c = model.predict(data)
print('_h: shape {} values \n {}\n'.format(_h.shape, _h))
print('h: shape {} values \n {}\n'.format(h.shape, h))
print('c: shape {} values \n {}'.format(c.shape, c))

# %%
# .. page-printed:: 7
#    :spec: 5
#
# ``h`` is the last step of ``_h`` today as then.
#
# time major
# ----------
#
# The page: by ``time_major`` we mean that the last dimension represents time and the second last
# the input features, so the input becomes (batch_size, num_inputs, sequence_length).  That was
# wrong on Keras 2 (it read axis 0 as time and axis 1 as the batch), and Keras 3 has no
# ``time_major``: the page's call raises the error below.

reset_graph()
# define model
inputs1 = Input(shape=(in_features, seq_len))
try:
    lstm1 = LSTM(units, time_major=True)(inputs1)
    model = Model(inputs=inputs1, outputs=[lstm1])
    model.inputs
except ValueError as error:  # Keras 3 refuses the argument
    print(f"{type(error).__name__}: {error}")

# %%
# .. page-printed:: 8
#    :spec: 6
#    :changed: the page's call, caught: Keras 3 raises where Keras 2 built the layer
#
# The page's data, its axes 1 and 2 swapped, runs as it did:

# we will have to shift the dimensions of numpy array to make it time_major
# check output
time_major_data = np.moveaxis(data, [1,2], [2,1])
time_major_data.shape

# %%
# .. page-printed:: 9
#    :spec: 6
#
# The page's prediction needs the layer Keras 3 refused.  What spec 6 runs instead: time-major
# data is (time, batch, features), and it is transposed to batch-major, (batch, time, features),
# before an ordinary ``LSTM``.  ``h`` is then (batch, units), (2, 5), where the page printed
# (3, 5): Keras 2 took the page's axis 1, its 3 features, for the batch.

time_major_data = np.transpose(data, (1, 0, 2))  # (seq_len, batch_size, in_features): truly time-major
inputs1 = Input(shape=(seq_len, in_features))
model = Model(inputs=inputs1, outputs=[LSTM(units)(inputs1)])
h = model.predict(np.transpose(time_major_data, (1, 0, 2)))  # back to batch-major
print('h: shape {} values \n {}\n'.format(h.shape, h))

# %%
# .. page-printed:: 10
#    :spec: 6
#    :changed: the corrected code of spec 6 in place of the page's model.predict(time_major_data)
#
# CNN -> LSTM
# -----------
#
# We can append LSTM with any other layer.  The only requirement is that the output from that
# layer should match the input requirement of LSTM, i.e. 3D.

reset_graph()
# define model
inputs = Input(shape=(seq_len, in_features))
cnn = Conv1D(filters=2, kernel_size=2, padding="same")(inputs)
max_pool = MaxPooling1D(padding="same")(cnn)
max_pool

# %%
# .. page-printed:: 11
#    :spec: 7
#
# As the shape of ``max_pool`` tensor matches the input requirement of LSTM we can combine it
# with LSTM.

h = LSTM(units)(max_pool)
model = Model(inputs=inputs, outputs=h)
model.summary()

# %%
# .. page-printed:: 12
#    :spec: 12
#
# The same layers, output shapes and parameter counts (14, 0, 160; 174 in all) in Keras 3's
# table, which names the layers afresh and adds the size in bytes.
#
# However, this is not how CNN is combined with LSTM at its start.  The purpose is usually to
# break the sequence into small sub-sequences and then apply the **same** CNN on those
# sub-sequences.

sub_sequences = 3
reset_graph()
# define model
inputs = Input(shape=(seq_len, in_features))
time_steps = seq_len // sub_sequences
reshape = Reshape(target_shape=(sub_sequences, time_steps, in_features))(inputs)
cnn = TimeDistributed(Conv1D(filters=2, kernel_size=2, padding="same"))(reshape)
max_pool = TimeDistributed(MaxPooling1D(padding="same"))(cnn)
flatten = TimeDistributed(Flatten())(max_pool)
flatten

# %%
# .. page-printed:: 13
#    :spec: 8
#
# The shape of ``flatten`` tensor again matches the input requirements of LSTM so we can again
# attach LSTM after it.

h = LSTM(units)(flatten)
model = Model(inputs=inputs, outputs=h)
model.summary()

# %%
# .. page-printed:: 14
#    :spec: 12
#
# The same shapes and counts (14, 0, 0, 200; 214 in all).
#
# LSTM -> 1D CNN
# --------------
#
# We can put 1d cnn at the end of LSTM to further extract some features from LSTM output.

reset_graph()
print('input shape is', data.shape)
# define model
inputs = Input(shape=(seq_len, in_features))
lstm_layer = LSTM(units, return_sequences=True)
lstm_outputs = lstm_layer(inputs)
print('lstm output: ', lstm_outputs.shape)
conv1 = Conv1D(filters=64, kernel_size=2, activation='relu', input_shape=(seq_len, units))(lstm_outputs)
print('conv output: ', conv1.shape)
max1d1 = MaxPooling1D(pool_size=2)(conv1)
print('max pool output: ', max1d1.shape)
flat1 = Flatten()(max1d1)
print('flatten output: ', flat1.shape)
model = Model(inputs=inputs, outputs=flat1)
# check output
output = model.predict(data)
print('output shape: ', output.shape)

# %%
# .. page-printed:: 15
#    :spec: 9
#
# Keras 3 warns against ``input_shape`` on a layer other than ``Input``; the layer takes its shape
# from ``lstm_outputs`` either way.
#
# Weights
# -------
#
# The output from LSTM/RNN looks roughly as below (spec 13: that is the SimpleRNN cell; spec 14
# gives the LSTM's gates).
#
# .. math:: h_t = tanh(b + Wh_{t-1} + UX_t)
#
# weights of our input against every neuron in LSTM

print('kernel U: ', lstm_layer.get_weights()[0].shape)

# %%
# .. page-printed:: 16
#    :spec: 10
#
# weights of our hidden state a.k.a the output of LSTM in the previous timestep (t-1) against
# every neuron in LSTM

print('recurrent kernel, W: ', lstm_layer.get_weights()[1].shape)

# %%
# .. page-printed:: 17
#    :spec: 10

print('bias: ', lstm_layer.get_weights()[2].shape)

# %%
# .. page-printed:: 18
#    :spec: 10
#
# This post is inspired from Jason Brownlee's `page
# <https://machinelearningmastery.com/return-sequences-and-return-states-for-lstms-in-keras/>`_.
