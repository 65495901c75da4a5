"""The layers and models the specs run: configurations and ids, seeded builders, pinned weights,
the Keras-era spellings, and the recorder of every run (``observe``).
"""
